// The footer's key hints come from the key bindings (KEYS), each saying on which screens it acts: a key bound only on
// one screen is shown only there, and a hint never names a key that does nothing.
import { describe, expect, test } from "bun:test";
import { footerHints, KEYS, keyAction, type Tab } from "../src/ui/ui-state.ts";

describe("footer hints", () => {
  test("each screen's row, in order", () => {
    expect(footerHints("live")).toEqual([
      ["?", "help"],
      ["↑↓", "select"],
      ["Enter", "open"],
      ["click", "bar · session · tab"],
      ["L H I", "tabs"],
      ["q", "back/quit"],
    ]);
    expect(footerHints("insights")).toEqual([
      ["?", "help"],
      ["1–5", "window"],
      ["click", "full screen"],
      ["o", "sort projects"],
      ["↑↓", "scroll"],
      ["L q", "back to LIVE"],
    ]);
    expect(footerHints("history")).toEqual([
      ["?", "help"],
      ["click", "bar · hour"],
      ["S", "summary"],
      ["M", "activity map"],
      ["L q", "back to LIVE"],
    ]);
  });

  test("INSIGHTS' window keys and HISTORY's panels are hinted only on their own screens", () => {
    const keysOn = (tab: Tab) => footerHints(tab).map(([k]) => k);
    expect(keysOn("live")).not.toContain("1–5");
    expect(keysOn("history")).not.toContain("1–5");
    expect(keysOn("live")).not.toContain("S");
    expect(keysOn("insights")).not.toContain("M");
  });

  test("every hinted key is bound: pressing the hint's first key does what its binding does", () => {
    const names: Record<string, string> = { "↑↓": "up", "1–5": "1", Enter: "return", "L H I": "l", "L q": "q" };
    for (const k of KEYS)
      for (const h of k.footer ?? []) {
        const name = names[h.key] ?? h.key.toLowerCase();
        expect(Object.keys(k.bind)).toContain(name);
        expect(keyAction({ name, ctrl: false, sequence: name } as Parameters<typeof keyAction>[0], 10, false)).not.toBeNull();
      }
  });
});
