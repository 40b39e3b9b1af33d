// Layout: a pure function from the terminal size to named rectangles.
import { rect, type Rect } from "./canvas.ts";

export const MIN_WIDTH = 60;
export const MIN_HEIGHT = 20;

export interface Layout {
  width: number;
  height: number;
  /** set when the terminal cannot hold a frame: what it needs. */
  tooSmall: { width: number; height: number } | null;
  /** charts and the side column share the top; sessions span the bottom (wide), or everything stacks (narrow). */
  wide: boolean;
  menu: Rect;
  footer: Rect;
  charts: [Rect, Rect, Rect];
  summary: Rect;
  allowance: Rect | null;
  sessions: Rect;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
const EMPTY = rect(0, 0, 0, 0);

export function layout(width: number, height: number): Layout {
  const w = Math.max(0, Math.floor(width));
  const h = Math.max(0, Math.floor(height));
  const base = { width: w, height: h, menu: rect(0, 0, w, 1), footer: rect(0, h - 1, w, 1) };
  if (w < MIN_WIDTH || h < MIN_HEIGHT) {
    return {
      ...base,
      tooSmall: { width: MIN_WIDTH, height: MIN_HEIGHT },
      wide: false,
      charts: [EMPTY, EMPTY, EMPTY],
      summary: EMPTY,
      allowance: null,
      sessions: EMPTY,
    };
  }
  const bodyTop = 1;
  const bodyH = h - 2;
  const wide = w >= 110;
  const sessionsH = clamp(Math.floor(bodyH * 0.3), 5, 16);
  const sessions = rect(0, bodyTop + bodyH - sessionsH, w, sessionsH);
  if (wide) {
    const sideW = clamp(Math.floor(w * 0.27), 36, 48);
    const chartsW = w - sideW;
    const areaH = bodyH - sessionsH;
    const summaryH = Math.min(areaH, 12);
    const allowanceH = areaH - summaryH;
    return {
      ...base,
      tooSmall: null,
      wide,
      charts: split(rect(0, bodyTop, chartsW, areaH)),
      summary: rect(chartsW, bodyTop, sideW, summaryH),
      allowance: allowanceH >= 5 ? rect(chartsW, bodyTop + summaryH, sideW, allowanceH) : null,
      sessions,
    };
  }
  const summaryH = h < 30 ? 4 : 6;
  const areaH = bodyH - sessionsH - summaryH;
  return {
    ...base,
    tooSmall: null,
    wide,
    charts: split(rect(0, bodyTop, w, areaH)),
    summary: rect(0, bodyTop + areaH, w, summaryH),
    allowance: null,
    sessions,
  };
}

/** Three stacked chart rectangles sharing the height (the remainder goes to the first). */
function split(r: Rect): [Rect, Rect, Rect] {
  const each = Math.floor(r.h / 3);
  const first = r.h - 2 * each;
  return [rect(r.x, r.y, r.w, first), rect(r.x, r.y + first, r.w, each), rect(r.x, r.y + first + each, r.w, each)];
}

export interface HistoryLayout {
  width: number;
  height: number;
  tooSmall: { width: number; height: number } | null;
  menu: Rect;
  footer: Rect;
  charts: Rect[];
  /** side panels; null on small terminals, where S and M open them as overlays. */
  summary: Rect | null;
  heatmap: Rect | null;
}

/** HISTORY: four stacked charts; SUMMARY and ACTIVITY beside them when there is room. */
export function historyLayout(width: number, height: number): HistoryLayout {
  const w = Math.max(0, Math.floor(width));
  const h = Math.max(0, Math.floor(height));
  const base = { width: w, height: h, menu: rect(0, 0, w, 1), footer: rect(0, h - 1, w, 1) };
  if (w < MIN_WIDTH || h < MIN_HEIGHT) return { ...base, tooSmall: { width: MIN_WIDTH, height: MIN_HEIGHT }, charts: [], summary: null, heatmap: null };
  const bodyH = h - 2;
  const heatH = 11;
  const summaryH = 11;
  if (w >= 110 && bodyH >= heatH + summaryH) {
    const sideW = clamp(Math.floor(w * 0.27), 36, 48);
    return {
      ...base,
      tooSmall: null,
      charts: split4(rect(0, 1, w - sideW, bodyH)),
      summary: rect(w - sideW, 1, sideW, summaryH),
      heatmap: rect(w - sideW, 1 + summaryH, sideW, Math.max(heatH, bodyH - summaryH)),
    };
  }
  return { ...base, tooSmall: null, charts: split4(rect(0, 1, w, bodyH)), summary: null, heatmap: null };
}

function split4(r: Rect): Rect[] {
  const each = Math.floor(r.h / 4);
  const first = r.h - 3 * each;
  return [rect(r.x, r.y, r.w, first), ...[0, 1, 2].map((i) => rect(r.x, r.y + first + i * each, r.w, each))];
}
