// One time slice (a clicked bar) broken down by session, most expensive first; scrolls under a fixed header.
import type { Canvas, Rect } from "../canvas.ts";
import type { HitMap } from "../hits.ts";
import type { SliceRow } from "../../model/slice-view.ts";
import { cleanText } from "../../shared/sanitize.ts";
import { compact, hhmm, usd, weekdayDay } from "../format.ts";
import { fit } from "../text.ts";
import { theme } from "../theme.ts";
import { drawOverlay, overlayRect } from "./overlay.ts";
import { drawTable, type Column } from "./table.ts";

interface SlicePopupProps {
  from: number;
  to: number;
  rows: readonly SliceRow[];
  scroll: number;
  /** the search or project filter applied to the rows, as said ("project x · /abc"), or "" */
  filtered?: string;
}

/** Left to right; on a narrow screen the lowest `keep` goes first (effective tokens and cost always stay). */
const columns = (): Column<SliceRow>[] => [
  { head: "project · title", w: 12, flex: true, color: theme.text, value: (r) => cleanText(r.title ? `${r.project} · ${r.title}` : r.project, 80) },
  { head: "new input", w: 9, keep: 5, align: "right", color: theme.uncached, value: (r) => compact(r.uncached) },
  { head: "5m write", w: 9, keep: 2, align: "right", color: theme.write5m, value: (r) => compact(r.cacheWrite5m) },
  { head: "1h write", w: 9, keep: 1, align: "right", color: theme.write1h, value: (r) => compact(r.cacheWrite1h) },
  { head: "read", w: 9, keep: 3, align: "right", color: theme.read, value: (r) => compact(r.cacheRead) },
  { head: "miss", w: 8, keep: 0, align: "right", color: theme.miss, value: (r) => compact(r.cacheMiss) },
  { head: "output", w: 8, keep: 4, align: "right", color: theme.output, value: (r) => compact(r.output) },
  { head: "effective", w: 10, align: "right", color: theme.accent, value: (r) => compact(r.effectiveTokens) },
  { head: "cost", w: 9, align: "right", color: theme.warn, value: (r) => usd(r.costUSD) },
];

/** Draws the slice by session (a click on a row opens that session); returns the overlay's rectangle. */
export function drawSlicePopup(c: Canvas, p: SlicePopupProps, hits: HitMap): Rect {
  const r = overlayRect(c, 130, Math.max(8, p.rows.length + 5));
  // (the day too: a slice of HISTORY is any day of the span)
  const inner = drawOverlay(c, r, `${weekdayDay(p.from)} ${hhmm(p.from)}–${hhmm(p.to)} BY SESSION`, "q closes");
  drawTable(
    c,
    inner,
    {
      columns: columns(),
      rows: p.rows,
      scroll: p.scroll,
      margin: 1,
      bg: theme.panel,
      countOnBorder: true,
      onRow: (row) => ({ type: "openSession", sessionId: row.sessionId }),
    },
    hits,
  );
  if (p.rows.length === 0)
    c.text(
      inner.x + 1,
      inner.y + 1,
      fit(p.filtered ? `no session of this slice matches ${p.filtered} (Esc clears)` : "no responses in this slice", inner.w - 2),
      { fg: theme.dim, bg: theme.panel },
    );
  return r;
}
