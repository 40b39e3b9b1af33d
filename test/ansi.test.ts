// The portable ANSI backend (Deno's live dashboard): the same app as on OpenTUI, driven by the same scripted keys
// and clicks, gives the same cell grid (colours included) after every step, whether OpenTUI reads the input itself
// (its test renderer) or is handed our parser's inputs (as the live dashboard does); a frame after a one-cell change
// writes only that run; the input parser reads keys, SGR mouse, the wheel and bracketed paste, also split across
// chunks.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createTestRenderer, type TestRendererSetup } from "@opentui/core/testing";
import { AnsiScreen, applyInput, type AnsiTerminal } from "../src/ui/ansi-live.ts";
import type { DashboardApp } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { createDashboardRenderable } from "../src/ui/live.ts";
import { ESC_MS, InputParser } from "../src/ui/terminal-input.ts";
import { demoApp } from "./builders.ts";
import { until } from "./until.ts";

const NOW = Date.parse("2026-11-26T18:00:00Z");
// Whole dashboards drawn step by step on two backends: 2-4 s each on a busy machine. (bun test does not read a timeout
// from bunfig.toml: without this, each test would have bun's 5 s.)
setDefaultTimeout(60_000);
const OPTS = { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true };

let setup: TestRendererSetup | null = null;
afterEach(async () => {
  await setup?.dispose();
  setup = null;
});

function fakeTerminal(w: number, h: number) {
  const written: string[] = [];
  const term: AnsiTerminal = { columns: () => w, rows: () => h, write: (s) => void written.push(s), raw: () => {}, onData: () => () => {} };
  return { term, written };
}

/** A chunk's inputs, and then what its end leaves waiting once time has passed (a lone ESC is Escape ESC_MS later). */
const read = (p: InputParser, bytes: string) => [...p.feed(bytes, 0), ...p.expire(ESC_MS)];

const gridOf = (app: DashboardApp, w = 152, h = 48) => {
  const g = new CellGrid(w, h);
  app.render(g, NOW, NOW);
  return { text: g.toPlain(), styles: g.styleRuns().join("\n") };
};

describe("both backends", () => {
  test("the same scripted keys and clicks give the same cell grid after every step, colours included", async () => {
    // OpenTUI: its test renderer, input as terminal bytes through its own parser
    const a = demoApp(NOW, OPTS);
    const t = await createTestRenderer({ width: 152, height: 48 });
    setup = t;
    createDashboardRenderable(t.renderer, a, { now: () => NOW, time: () => NOW });
    await t.renderOnce();
    // ANSI: the same app on the portable backend, input through its parser
    const b = demoApp(NOW, OPTS);
    const { term } = fakeTerminal(152, 48);
    const screen = new AnsiScreen(term, true);
    const parser = new InputParser();
    screen.frame(b, NOW, NOW);
    const rows = gridOf(b).text.split("\n");
    const row = rows.findIndex((l) => l.includes("api-gateway"));
    const steps: { name: string; opentui: () => Promise<void> | void; bytes: string }[] = [
      { name: "↓", opentui: () => t.mockInput.pressArrow("down"), bytes: "\x1b[B" },
      { name: "↓", opentui: () => t.mockInput.pressArrow("down"), bytes: "\x1b[B" },
      { name: "Enter", opentui: () => t.mockInput.pressEnter(), bytes: "\r" },
      { name: "q", opentui: () => t.mockInput.pressKey("q"), bytes: "q" },
      { name: "click a session", opentui: () => t.mockMouse.click(14, row), bytes: `\x1b[<0;15;${row + 1}M\x1b[<0;15;${row + 1}m` },
      { name: "Escape", opentui: () => t.mockInput.pressEscape(), bytes: "\x1b" },
      { name: "?", opentui: () => t.mockInput.pressKey("?"), bytes: "?" },
      { name: "wheel down", opentui: () => t.mockMouse.scroll(40, 10, "down"), bytes: "\x1b[<65;41;11M" },
      { name: "q", opentui: () => t.mockInput.pressKey("q"), bytes: "q" },
      { name: "I", opentui: () => t.mockInput.pressKey("I"), bytes: "I" },
      { name: "o", opentui: () => t.mockInput.pressKey("o"), bytes: "o" },
      { name: "H", opentui: () => t.mockInput.pressKey("H"), bytes: "H" },
      { name: "[", opentui: () => t.mockInput.pressKey("["), bytes: "[" },
    ];
    const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
    for (const step of steps) {
      // the ANSI side first (its parser is synchronous), then OpenTUI's renderer until it has read the same input
      // (it parses asynchronously): a deadline of 30 s, not a fixed number of renders and sleeps
      for (const ev of read(parser, step.bytes)) applyInput(b, ev);
      screen.frame(b, NOW, NOW);
      const gb = gridOf(b);
      await step.opentui();
      await until(
        async () => {
          await t.renderOnce();
          return same(a.ui, b.ui) && gridOf(a).text === gb.text;
        },
        `OpenTUI to have read ${step.name}`,
        30_000,
        5,
      );
      const ga = gridOf(a);
      expect({ step: step.name, ui: b.ui }).toEqual({ step: step.name, ui: a.ui });
      expect(gb.text).toBe(ga.text);
      expect(gb.styles).toBe(ga.styles);
    }
  });
});

describe("OpenTUI as the live dashboard runs it", () => {
  test("our parser's inputs handed to the renderable do what they do on the ANSI backend, and OpenTUI draws it", async () => {
    const a = demoApp(NOW, OPTS);
    const t = await createTestRenderer({ width: 152, height: 48 });
    setup = t;
    let afterInput = 0;
    const { renderable } = createDashboardRenderable(
      t.renderer,
      a,
      { now: () => NOW, time: () => NOW },
      { afterInput: () => void afterInput++ },
      { openTuiInput: false },
    );
    await t.renderOnce();
    const b = demoApp(NOW, OPTS);
    gridOf(b);
    const pa = new InputParser();
    const pb = new InputParser();
    const row = gridOf(b)
      .text.split("\n")
      .findIndex((l) => l.includes("api-gateway"));
    const steps = [
      "\x1b[B",
      "\x1b[B",
      "\r",
      "q",
      `\x1b[<35;20;${row + 1}M\x1b[<0;15;${row + 1}M\x1b[<0;15;${row + 1}m`,
      "\x1b",
      "?",
      "\x1b[<65;41;11M",
      "q",
      "I",
      "H",
      "[",
    ];
    for (const bytes of steps) {
      for (const ev of read(pa, bytes)) renderable.apply(ev);
      for (const ev of read(pb, bytes)) applyInput(b, ev);
      await t.renderOnce();
      expect({ bytes, ui: a.ui }).toEqual({ bytes, ui: b.ui });
      const drawn = t
        .captureCharFrame()
        .split("\n")
        .map((l) => l.trimEnd())
        .join("\n")
        .trimEnd();
      expect(drawn).toBe(
        gridOf(b)
          .text.split("\n")
          .map((l) => l.trimEnd())
          .join("\n")
          .trimEnd(),
      );
    }
    // (a mouse move or a release is no input: the hooks run for the 10 keys, the click and the wheel step only)
    expect(afterInput).toBe(12);
  });
});

describe("the ANSI backend's bytes", () => {
  test("the first frame paints everything; a frame after a one-cell change writes only that run", () => {
    const app = demoApp(NOW, OPTS);
    const { term, written } = fakeTerminal(100, 30);
    const screen = new AnsiScreen(term, true);
    screen.frame(app, NOW, NOW);
    expect(written[0]).toStartWith("\x1b[?2026h\x1b[0m\x1b[2J");
    expect(written[0]!.length).toBeGreaterThan(10_000);
    screen.frame(app, NOW, NOW);
    expect(written).toHaveLength(1); // nothing changed: nothing written
    // one cell changes: the first grid against a copy with one cell changed
    const a = new CellGrid(20, 3);
    a.text(0, 0, "hello", { fg: [255, 255, 255] });
    const b = new CellGrid(20, 3);
    b.text(0, 0, "hellO", { fg: [255, 255, 255] });
    expect(b.frameAnsi(a)).toBe("\x1b[?2026h\x1b[1;5H\x1b[0;38;2;255;255;255mO\x1b[0m\x1b[?2026l");
    expect(a.frameAnsi(a)).toBe("");
  });
});

describe("the input parser", () => {
  test("keys, arrows, page keys, Ctrl-C, Escape, Alt-x, SGR mouse (press, release, drag, wheel), bracketed paste", () => {
    const p = new InputParser();
    expect(p.feed("aQ\r\x7f \x03\x1b[A\x1b[B\x1b[5~\x1b[6~\x1bx")).toEqual([
      { kind: "key", key: { name: "a", shift: false } },
      { kind: "key", key: { name: "Q", shift: true } },
      { kind: "key", key: { name: "return" } },
      { kind: "key", key: { name: "backspace" } },
      { kind: "key", key: { name: "space" } },
      { kind: "key", key: { name: "c", ctrl: true } },
      { kind: "key", key: { name: "up", shift: false } },
      { kind: "key", key: { name: "down", shift: false } },
      { kind: "key", key: { name: "pageup", shift: false } },
      { kind: "key", key: { name: "pagedown", shift: false } },
      { kind: "key", key: { name: "x", shift: false } },
    ]);
    expect(p.feed("\x1b", 0)).toEqual([]); // (it may be a sequence the terminal split: Escape once nothing follows)
    expect(p.expire(ESC_MS)).toEqual([{ kind: "key", key: { name: "escape" } }]);
    expect(p.feed("\x1b[<0;10;5M\x1b[<0;10;5m\x1b[<32;11;5M\x1b[<64;3;4M\x1b[<65;3;4M")).toEqual([
      { kind: "mouse", action: "press", button: 0, x: 9, y: 4 },
      { kind: "mouse", action: "release", button: 0, x: 9, y: 4 },
      { kind: "mouse", action: "drag", button: 0, x: 10, y: 4 },
      { kind: "wheel", direction: "up", x: 2, y: 3 },
      { kind: "wheel", direction: "down", x: 2, y: 3 },
    ]);
    expect(p.feed("\x1b[200~pasted\ntext\x1b[201~")).toEqual([{ kind: "paste", text: "pasted\ntext" }]);
  });

  test("a sequence split across chunks waits for its end; so does a paste", () => {
    const p = new InputParser();
    expect(p.feed("\x1b[<0;1")).toEqual([]);
    expect(p.feed("2;3M")).toEqual([{ kind: "mouse", action: "press", button: 0, x: 11, y: 2 }]);
    expect(p.feed("\x1b[200~abc")).toEqual([]);
    expect(p.feed("def\x1b[201~q")).toEqual([
      { kind: "paste", text: "abcdef" },
      { kind: "key", key: { name: "q", shift: false } },
    ]);
  });

  test("pasted text goes into a search being typed, and nowhere else", () => {
    const app = demoApp(NOW, OPTS);
    gridOf(app);
    applyInput(app, { kind: "paste", text: "ignored" });
    expect(app.ui.query).toBe("");
    applyInput(app, { kind: "key", key: { name: "/" } });
    applyInput(app, { kind: "paste", text: "api\ngate" });
    expect(app.ui.query).toBe("api gate");
  });
});
