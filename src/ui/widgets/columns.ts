// Tables on narrow screens: drop the least useful columns (lowest `keep` first) until the rest fit.

export interface Droppable {
  /** width in cells, not counting the one-cell gap before it */
  w: number;
  /** importance: the lowest goes first */
  keep: number;
}

/** The columns that fit in `room` cells (each with its gap), in their order; the most important always stays. */
export function fitColumns<T extends Droppable>(cols: readonly T[], room: number): T[] {
  let out = [...cols];
  const width = () => out.reduce((a, c) => a + c.w + 1, 0);
  const levels = [...new Set(cols.map((c) => c.keep))].sort((a, b) => a - b);
  for (const level of levels.slice(0, -1)) {
    if (width() <= room) break;
    out = out.filter((c) => c.keep > level);
  }
  return out;
}
