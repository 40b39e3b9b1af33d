// Keys as a user presses them: what each key does is written out here (not read back from the table that binds it,
// which would only show the table equals itself), no key is bound by two rows, a search being typed takes the
// printable keys, and the help a user opens shows every row of the table.
import { expect, test } from "bun:test";
import { CellGrid } from "../src/ui/grid.ts";
import { keyAction, KEYS, type KeyPress, type UiAction } from "../src/ui/ui-state.ts";
import { drawHelp } from "../src/ui/widgets/help.ts";

test("each key does what its help says", () => {
  const PAGE = 10;
  const press = (name: string): KeyPress => (name.startsWith("ctrl+") ? { name: name.slice(5), ctrl: true } : { name });
  const expected: [string, UiAction | null][] = [
    ["?", { type: "help" }],
    ["l", { type: "tab", tab: "live" }],
    ["L", { type: "tab", tab: "live" }],
    ["h", { type: "tab", tab: "history" }],
    ["H", { type: "tab", tab: "history" }],
    ["i", { type: "tab", tab: "insights" }],
    ["I", { type: "tab", tab: "insights" }],
    ["up", { type: "move", delta: -1 }],
    ["k", { type: "move", delta: -1 }],
    ["K", { type: "move", delta: -1 }],
    ["down", { type: "move", delta: 1 }],
    ["j", { type: "move", delta: 1 }],
    ["J", { type: "move", delta: 1 }],
    ["pageup", { type: "scroll", delta: -PAGE }],
    ["pagedown", { type: "scroll", delta: PAGE }],
    ["return", { type: "enter" }],
    ["enter", { type: "enter" }],
    ["a", { type: "allowance" }],
    ["A", { type: "allowance" }],
    ["s", { type: "panel", panel: "summary" }],
    ["S", { type: "panel", panel: "summary" }],
    ["m", { type: "panel", panel: "heatmap" }],
    ["M", { type: "panel", panel: "heatmap" }],
    ["1", { type: "insightsWindow", hours: 1 }],
    ["2", { type: "insightsWindow", hours: 5 }],
    ["3", { type: "insightsWindow", hours: 24 }],
    ["4", { type: "insightsWindow", hours: 168 }],
    ["5", { type: "insightsWindow", hours: 720 }],
    ["o", { type: "cycleSort" }],
    ["O", { type: "cycleSort" }],
    ["[", { type: "range", step: -1, current: NaN }],
    ["-", { type: "range", step: -1, current: NaN }],
    ["]", { type: "range", step: 1, current: NaN }],
    ["+", { type: "range", step: 1, current: NaN }],
    ["=", { type: "range", step: 1, current: NaN }],
    ["y", { type: "copy", what: "id" }],
    ["r", { type: "copy", what: "resume" }],
    ["e", { type: "export" }],
    ["E", { type: "export" }],
    ["/", { type: "search" }],
    ["p", { type: "toggleProject" }],
    ["P", { type: "toggleProject" }],
    ["t", { type: "cycleSource" }],
    ["T", { type: "cycleSource" }],
    ["u", { type: "cycleUser" }],
    ["U", { type: "cycleUser" }],
    ["escape", { type: "close" }],
    ["q", { type: "back" }],
    ["Q", { type: "back" }],
    ["ctrl+c", { type: "quit" }],
    // unbound: nothing happens (q with Ctrl is not q; a digit past the windows is not a window)
    ["x", null],
    ["6", null],
    ["ctrl+q", null],
  ];
  for (const [name, action] of expected) expect([name, keyAction(press(name), PAGE)]).toEqual([name, action]);
  // a page is at least one row, whatever the panel's height
  expect(keyAction({ name: "pagedown" }, 0)).toEqual({ type: "scroll", delta: 1 });
  // and every key the table binds is written out above (a new binding says here what it does)
  const bound = KEYS.flatMap((k) => Object.keys(k.bind));
  expect(bound.filter((k) => !expected.some(([name]) => name === k))).toEqual([]);
});

test("no key is bound by two rows of the table (the later would silently win)", () => {
  const bound = KEYS.flatMap((k) => Object.keys(k.bind));
  expect(bound.filter((k, i) => bound.indexOf(k) !== i)).toEqual([]);
});

test("while a search is typed, printable keys go to it; Enter keeps it, Esc clears it; Ctrl-C still quits", () => {
  const typing = (k: KeyPress) => keyAction(k, 10, true);
  expect(typing({ name: "q" })).toEqual({ type: "type", text: "q" });
  expect(typing({ name: "?" })).toEqual({ type: "type", text: "?" });
  expect(typing({ name: "space" })).toEqual({ type: "type", text: " " });
  expect(typing({ name: "backspace" })).toEqual({ type: "erase" });
  expect(typing({ name: "return" })).toEqual({ type: "endSearch", keep: true });
  expect(typing({ name: "escape" })).toEqual({ type: "endSearch", keep: false });
  expect(typing({ name: "c", ctrl: true })).toEqual({ type: "quit" });
  expect(typing({ name: "down" })).toEqual({ type: "move", delta: 1 });
});

test("the help a user opens shows every row of the table, its keys and what they do (t and u included)", () => {
  const g = new CellGrid(100, 50);
  drawHelp(g, 0);
  const shown = g.toPlain();
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  for (const { label, help } of KEYS) {
    const start = help.split(" ").slice(0, 3).join(" "); // (the help wraps; its first words are on the key's line)
    expect([label, new RegExp(`│ ${esc(label)} +${esc(start)}`).test(shown)]).toEqual([label, true]);
  }
  expect(shown).toMatch(/│ t +INSIGHTS: data from local transcripts, team telemetry or both/);
  expect(shown).toMatch(/│ u +INSIGHTS with team telemetry: one user, or all/);
});
