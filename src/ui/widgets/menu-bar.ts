// The menu bar: LIVE / HISTORY / INSIGHTS tabs (accelerator letters underlined), a banner, the clock.
import { rect, type Canvas, type Rect } from "../canvas.ts";
import type { HitMap } from "../hits.ts";
import { fit, textWidth } from "../text.ts";
import { theme } from "../theme.ts";
import type { Tab } from "../ui-state.ts";

interface MenuBarProps {
  tab: Tab;
  /** the wall clock as text (already formatted). */
  clock: string;
  account: string | null;
  /** a compact allowance badge naming its source last ("5h 62% · wk 31% · claude.ai"); without its source when
   *  that alone does not fit. */
  badge: string | null;
  /** shown prominently, e.g. the demo-data notice. */
  banner: string | null;
  /** tabs whose view has not landed yet. */
  coming: readonly Tab[];
}

const TABS: { tab: Tab; label: string }[] = [
  { tab: "live", label: "LIVE" },
  { tab: "history", label: "HISTORY" },
  { tab: "insights", label: "INSIGHTS" },
];

export function drawMenuBar(c: Canvas, r: Rect, p: MenuBarProps, hits: HitMap): void {
  c.fill(r, { bg: theme.panel });
  // Narrow terminals drop the "soon" marks and the date, never the banner.
  const narrow = r.w < 120;
  const clock = narrow ? p.clock.slice(-8) : p.clock;
  let x = r.x + 1;
  c.text(x, r.y, "claude-dash", { fg: theme.accent, bg: theme.panel, bold: true });
  x += 13;
  for (const t of TABS) {
    const active = t.tab === p.tab;
    const style = { fg: active ? theme.bg : theme.text, bg: active ? theme.accent : theme.panel, bold: active };
    const label = ` ${t.label} `;
    c.cell(x, r.y, " ", style);
    c.cell(x + 1, r.y, t.label[0]!, { ...style, underline: true });
    c.text(x + 2, r.y, `${t.label.slice(1)} `, style);
    hits.add(rect(x, r.y, label.length, 1), { type: "tab", tab: t.tab });
    x += label.length;
    if (!narrow && p.coming.includes(t.tab)) {
      c.text(x, r.y, " soon", { fg: theme.dim, bg: theme.panel });
      x += 5;
    }
    x += 1;
  }
  // Right side: the clock always; then the allowance badge and the account while the banner keeps its room.
  const bannerNeed = p.banner ? textWidth(p.banner.split(" — ")[0]!) + 4 : 0;
  const fits = (s: string) => r.x + r.w - textWidth(s) - 2 - x >= bannerNeed;
  // The badge whole, else without its source (an estimate's numbers still carry their "~"), the account beside it if
  // there is room for both, else the badge alone.
  const cut = p.badge ? p.badge.lastIndexOf(" · ") : -1;
  const badges = p.badge ? [p.badge, ...(cut > 0 ? [p.badge.slice(0, cut)] : [])] : [];
  const account = narrow ? null : p.account;
  const options: [string | null, string | null][] = [
    ...badges.map((b): [string, string | null] => [b, account]),
    ...badges.map((b): [string, null] => [b, null]),
    [null, account],
  ];
  const [badge, shown] = options.find(([b, a]) => fits([a, b, clock].filter(Boolean).join("  "))) ?? [null, null];
  const right = [shown, badge, clock].filter(Boolean).join("  ");
  const rw = textWidth(right);
  const rx = r.x + r.w - rw - 1;
  c.text(rx, r.y, right, { fg: theme.text, bg: theme.panel });
  // the badge opens ALLOWANCE (which has no room of its own on a narrow screen)
  const at = badge ? right.indexOf(badge) : -1;
  if (badge && at >= 0) hits.add(rect(rx + textWidth(right.slice(0, at)), r.y, textWidth(badge), 1), { type: "allowance" });
  if (p.banner) {
    const room = r.x + r.w - rw - 2 - (x + 1);
    const text = room >= textWidth(p.banner) + 2 ? ` ${p.banner} ` : ` ${p.banner.split(" — ")[0]} `;
    if (room >= 6) c.text(x, r.y, fit(text, room), { fg: theme.bg, bg: theme.warn, bold: true });
  }
}
