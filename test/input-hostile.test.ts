// Terminal input can never hang or end the live dashboard (issue 21, failures 5 and 13): a paste left open ends on
// its own (after QUIET_MS without bytes, or at PASTE_CAP), Ctrl-C and Ctrl-Z cut through a paste or a half sequence,
// the terminal's answers to OpenTUI's queries are not keys, and bytes that are not text (a lone 0x83, 0xF1, half an
// "ă") are no keys at all. Time is a fake clock throughout; the real terminal is in terminal.test.ts.
import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { runAnsiLive, type AnsiTerminal } from "../src/ui/ansi-live.ts";
import { readStdin } from "../src/ui/live.ts";
import { DRAIN_MS, ESC_MS, InputParser, InputReader, PASTE_CAP, QUIET_MS, type InputClock, type TerminalInput } from "../src/ui/terminal-input.ts";
import { demoApp } from "./builders.ts";
import { mulberry32, stormChunk } from "./storm.ts";

const NOW = Date.parse("2026-11-26T18:00:00Z");
const OPTS = { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true };
const q: TerminalInput = { kind: "key", key: { name: "q", shift: false } };
const ctrl = (name: string): TerminalInput => ({ kind: "key", key: { name, ctrl: true } });

/** A clock whose timers run only when the test moves time on. */
function fakeClock(start = NOW) {
  let now = start;
  let next = 1;
  const timers = new Map<number, { at: number; f: () => void }>();
  const clock: InputClock = {
    now: () => now,
    setTimeout: (f, ms) => {
      timers.set(next, { at: now + ms, f });
      return next++;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].f();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.size };
}

/** Bytes as the backends decode them (UTF-8, a character split across chunks kept for the next). */
function decoding(p: InputParser, at = () => 0) {
  const d = new TextDecoder();
  return (...bytes: number[]) => p.feed(d.decode(new Uint8Array(bytes), { stream: true }), at());
}

describe("a paste that never ends (failure 5)", () => {
  test("ends after QUIET_MS without bytes, with what it had; the keys after it are keys again", () => {
    const p = new InputParser();
    expect(p.feed("\x1b[200~abc", 1000)).toEqual([]);
    expect(p.feed("q", 1300)).toEqual([]); // (inside the paste, q is text)
    expect(p.deadline()).toBe(1300 + QUIET_MS);
    expect(p.expire(1300 + QUIET_MS - 1)).toEqual([]);
    expect(p.expire(1300 + QUIET_MS)).toEqual([{ kind: "paste", text: "abcq" }]);
    expect(p.deadline()).toBeNull();
    expect(p.feed("q", 2000)).toEqual([q]);
    // a key that comes after the quiet ends the paste by itself too (a missed timer cannot keep it open)
    expect(p.feed("\x1b[200~xyz", 3000)).toEqual([]);
    expect(p.feed("q", 3000 + QUIET_MS)).toEqual([{ kind: "paste", text: "xyz" }, q]);
  });

  test("ends at PASTE_CAP characters; the rest of it is dropped up to its end mark, and q then quits", () => {
    const p = new InputParser();
    const out = p.feed(`\x1b[200~${"x".repeat(PASTE_CAP - 10)}`, 0);
    expect(out).toEqual([]);
    const capped = p.feed("y".repeat(50_000), 1);
    expect(capped).toHaveLength(1);
    expect(capped[0]).toEqual({ kind: "paste", text: "x".repeat(PASTE_CAP - 10) + "y".repeat(10) });
    expect(p.feed("q".repeat(1000), 2)).toEqual([]); // (still the paste: dropped, not a thousand quits)
    expect(p.feed("zz\x1b[201~q", 3)).toEqual([q]);
  });

  test("Ctrl-C and Ctrl-Z cut through a paste and through a half-read sequence", () => {
    const p = new InputParser();
    expect(p.feed("\x1b[200~some text\x03", 0)).toEqual([{ kind: "paste", text: "some text" }, ctrl("c")]);
    expect(p.feed("\x1b[201~\x1b[200~more\x1a", 0)).toEqual([{ kind: "paste", text: "more" }, ctrl("z")]);
    expect(p.feed("\x1b[201~", 0)).toEqual([]);
    expect(p.feed("\x1b[<0;12", 0)).toEqual([]);
    expect(p.feed("\x03", 0)).toEqual([ctrl("c")]);
    expect(p.feed("\x1b]11;rgb:00", 0)).toEqual([]);
    expect(p.feed("\x03", 0)).toEqual([ctrl("c")]);
  });

  test("its end mark split across chunks still ends it", () => {
    const p = new InputParser();
    expect(p.feed("\x1b[200~abc\x1b[2", 0)).toEqual([]);
    expect(p.feed("01", 0)).toEqual([]);
    expect(p.feed("~q", 0)).toEqual([{ kind: "paste", text: "abc" }, q]);
    // (and what only looked like the start of one is text)
    expect(p.feed("\x1b[200~a\x1b[2", 0)).toEqual([]);
    expect(p.feed("x\x1b[201~", 0)).toEqual([{ kind: "paste", text: "a\x1b[2x" }]);
  });

  test("the reader's timer ends it on time, with nothing else typed", () => {
    const { clock, advance, pending } = fakeClock();
    const got: TerminalInput[] = [];
    const reader = new InputReader((inputs) => got.push(...inputs), clock);
    reader.push("\x1b[200~abc");
    advance(QUIET_MS - 1);
    expect(got).toEqual([]);
    advance(1);
    expect(got).toEqual([{ kind: "paste", text: "abc" }]);
    reader.push("q");
    expect(got).toEqual([{ kind: "paste", text: "abc" }, q]);
    reader.push("\x1b[200~open");
    reader.stop();
    expect(pending()).toBe(0); // (stopped: no timer left to hold the process)
  });

  test("the ANSI backend: an unterminated paste, then q, exits 0; a paste then Ctrl-C exits 130", async () => {
    for (const [bytes, code] of [
      ["\x1b[200~abc", 0],
      ["\x1b[200~abc\x03", 130],
    ] as const) {
      const { clock, advance } = fakeClock();
      let feed: (s: string) => void = () => {};
      const term: AnsiTerminal = { columns: () => 120, rows: () => 40, write: () => {}, raw: () => {}, onData: (f) => ((feed = f), () => {}) };
      const app = demoApp(NOW, OPTS);
      const done = runAnsiLive(
        app,
        { source: null, allowance: null, fps: 0, intervalSeconds: 60, pinnedNow: NOW, statusLine: () => null, color: true },
        term,
        clock,
      );
      feed(bytes);
      advance(QUIET_MS);
      feed("q");
      expect(await done).toBe(code);
    }
  });
});

describe("stray bytes and the terminal's answers (failure 13)", () => {
  test("a lone 0x83, 0xF1 and an 'ă' split in two are no keys but the letter; the keys after them still are", () => {
    const p = new InputParser();
    const bytes = decoding(p);
    expect(bytes(0x83)).toEqual([]);
    expect(bytes(0xf1)).toEqual([]);
    expect(bytes(0x71)).toEqual([q]); // (0xF1 then q: not Alt-q, not a quit; just q)
    expect(bytes(0xc4)).toEqual([]);
    expect(bytes(0x83)).toEqual([{ kind: "key", key: { name: "ă", shift: false } }]);
    expect(bytes(0xc2, 0x9b, 0xc2, 0x83)).toEqual([]); // (C1 controls, sent as UTF-8)
    expect(bytes(0xff, 0xfe, 0x80, 0x1b, 0x5b, 0x41)).toEqual([{ kind: "key", key: { name: "up", shift: false } }]);
  });

  test("answers to OpenTUI's queries are replies, never keys (a '?' in one would open the help)", () => {
    const p = new InputParser();
    const answers = [
      "\x1b[?62;22c",
      "\x1b[?2026;2$y",
      "\x1bP>|tmux 3.3a\x1b\\",
      "\x1b]11;rgb:0000/0000/0000\x07",
      "\x1b]10;rgb:ffff/ffff/ffff\x1b\\",
      "\x1b[12;40R",
      "\x1b[?0u",
      "\x1b[4;600;800t",
      "\x1b_Gi=1;OK\x1b\\",
      "\x1b[I",
    ];
    expect(p.feed(answers.join(""), 0)).toEqual(answers.map((raw) => ({ kind: "reply", raw })));
  });

  test("a control string that never ends is dropped QUIET_MS after it began (keys typed meanwhile go with it)", () => {
    const p = new InputParser();
    expect(p.feed("\x1bP>|xterm", 0)).toEqual([]);
    expect(p.feed("q", 100)).toEqual([]);
    expect(p.feed("?", QUIET_MS)).toEqual([{ kind: "key", key: { name: "?", shift: false } }]);
  });

  test("a seeded storm of bytes, escape sequences and mouse reports gives no Ctrl-C, Ctrl-Z or q, and leaves nothing waiting", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const p = new InputParser();
      const bytes = decoding(p);
      const rand = mulberry32(seed);
      const out: TerminalInput[] = [];
      for (let i = 0; i < 300; i++) out.push(...bytes(...stormChunk(rand)));
      out.push(...p.expire(Number.MAX_SAFE_INTEGER));
      expect(p.deadline()).toBeNull();
      const quits = out.filter((e) => e.kind === "key" && (e.key.ctrl ? e.key.name === "c" || e.key.name === "z" : e.key.name === "q"));
      expect({ seed, quits }).toEqual({ seed, quits: [] });
      expect(p.feed("q", 0)).toEqual([q]);
    }
  });
});

describe("a sequence split by the terminal never turns into commands (review of failure 5)", () => {
  const escKey: TerminalInput = { kind: "key", key: { name: "escape" } };
  /** A reader on a fake clock, and what it delivered. */
  function reading() {
    const { clock, advance, pending } = fakeClock();
    const got: TerminalInput[] = [];
    const reader = new InputReader((inputs) => got.push(...inputs), clock);
    return { reader, got, advance, pending };
  }

  test("an ESC at the end of a chunk waits ESC_MS: a paste's start or a mouse report after it is that, not keys", () => {
    const { reader, got, advance } = reading();
    reader.push("\x1b");
    advance(ESC_MS - 1);
    expect(got).toEqual([]);
    reader.push("[200~rm q");
    reader.push("\x1b[201~");
    expect(got).toEqual([{ kind: "paste", text: "rm q" }]);
    got.length = 0;
    reader.push("\x1b");
    advance(10);
    reader.push("[<35;10;5M"); // (a mouse move: nothing for the app, not "[", "<", "3", "5", … "M")
    reader.push("\x1b");
    advance(1);
    reader.push("[<0;10;5M");
    expect(got).toEqual([
      { kind: "mouse", action: "drag", button: 3, x: 9, y: 4 },
      { kind: "mouse", action: "press", button: 0, x: 9, y: 4 },
    ]);
  });

  test("a lone Escape still acts on its own, ESC_MS later, with nothing else typed", () => {
    const { reader, got, advance, pending } = reading();
    reader.push("\x1b");
    expect(got).toEqual([]);
    advance(ESC_MS);
    expect(got).toEqual([escKey]);
    expect(pending()).toBe(0);
    // a key typed after the delay is that key (not Alt + it); two Escapes are two
    reader.push("?");
    reader.push("\x1b\x1b");
    advance(ESC_MS);
    expect(got).toEqual([escKey, { kind: "key", key: { name: "?", shift: false } }, escKey, escKey]);
    // Ctrl-C right after an ESC is still Ctrl-C, at once
    reader.push("\x1b");
    reader.push("\x03");
    expect(got.at(-1)).toEqual(ctrl("c"));
  });

  test("a sequence's rest that comes later than ESC_MS is still read as that sequence (the Escape has acted)", () => {
    const { reader, got, advance } = reading();
    reader.push("\x1b");
    advance(ESC_MS + 100); // (a slow link: the Escape is taken alone)
    reader.push("[200~rm q\x1b[201~");
    reader.push("\x1b");
    advance(ESC_MS + 100);
    reader.push("[<35;10;5M");
    expect(got).toEqual([escKey, { kind: "paste", text: "rm q" }, escKey, { kind: "mouse", action: "drag", button: 3, x: 9, y: 4 }]);
    // but a key typed after an Escape is that key, and so is one typed later than QUIET_MS
    got.length = 0;
    reader.push("\x1b");
    advance(ESC_MS);
    reader.push("[");
    reader.push("\x1b");
    advance(QUIET_MS);
    reader.push("[A");
    expect(got).toEqual([
      escKey,
      { kind: "key", key: { name: "[", shift: false } },
      escKey,
      { kind: "key", key: { name: "[", shift: false } },
      { kind: "key", key: { name: "A", shift: true } },
    ]);
  });

  test("a stray X10 mouse prefix does not swallow Ctrl-C, Ctrl-Z or the next sequence", () => {
    const p = new InputParser();
    expect(p.feed("\x1b[M", 0)).toEqual([]);
    expect(p.feed("\x03\x03\x03", 0)).toEqual([ctrl("c"), ctrl("c"), ctrl("c")]);
    expect(p.feed("\x1b[M \x1a", 0)).toEqual([ctrl("z")]);
    expect(p.feed("\x1b[M\x1b[A", 0)).toEqual([{ kind: "key", key: { name: "up", shift: false } }]);
    // (a whole X10 report is still a click)
    expect(p.feed("\x1b[M +&", 0)).toEqual([{ kind: "mouse", action: "press", button: 0, x: 10, y: 5 }]);
  });

  test("after Ctrl-C or Ctrl-Z inside a paste, the rest of the paste is dropped up to its end mark or the quiet", () => {
    const p = new InputParser();
    expect(p.feed("\x1b[200~ab\x1arm -rf q\r", 0)).toEqual([{ kind: "paste", text: "ab" }, ctrl("z")]);
    expect(p.feed("more q\x1b[201~q", 10)).toEqual([q]);
    // the quiet ends it too, and a break in the rest still acts
    expect(p.feed("\x1b[200~ab\x03q", 0)).toEqual([{ kind: "paste", text: "ab" }, ctrl("c")]);
    expect(p.feed("q\x1aq", 100)).toEqual([ctrl("z")]);
    expect(p.feed("q", 100 + QUIET_MS)).toEqual([q]);
  });

  test("the rest of a paste that comes after Ctrl-Z and fg is dropped too (the reader is reset around the suspension)", () => {
    const { reader, got, advance } = reading();
    reader.push("\x1b[200~ab\x1a");
    expect(got).toEqual([{ kind: "paste", text: "ab" }, ctrl("z")]);
    reader.reset(); // (suspended)
    advance(60_000);
    reader.reset(); // (fg)
    reader.push("rm -rf q\r");
    advance(QUIET_MS - 1);
    reader.push("q q\x1b[201~");
    reader.push("q");
    expect(got).toEqual([{ kind: "paste", text: "ab" }, ctrl("z"), q]);
    // with no end mark, the quiet after fg ends it
    got.length = 0;
    reader.push("\x1b[200~ab\x1a");
    reader.reset();
    advance(60_000);
    reader.reset();
    reader.push("rm q");
    advance(QUIET_MS);
    reader.push("q");
    expect(got).toEqual([{ kind: "paste", text: "ab" }, ctrl("z"), q]);
  });

  test("Ctrl-C or Ctrl-Z inside a paste waits for the rest of it (or the quiet, at most DRAIN_MS) before it quits or suspends", () => {
    const { reader, got, advance, pending } = reading();
    const settled: string[] = [];
    reader.settle(() => settled.push("no paste")); // (at once)
    expect(settled).toEqual(["no paste"]);
    reader.push("\x1b[200~ab\x03rm -rf q\r");
    reader.settle(() => settled.push("end mark"));
    reader.push("more\r");
    expect(settled).toEqual(["no paste"]);
    reader.push("\x1b[201~");
    expect(settled).toEqual(["no paste", "end mark"]);
    reader.push("\x1b[200~ab\x1arm");
    reader.settle(() => settled.push("quiet"));
    advance(QUIET_MS);
    expect(settled).toEqual(["no paste", "end mark", "quiet"]);
    // a paste that never goes quiet: at most DRAIN_MS
    reader.push("\x1b[200~ab\x03");
    reader.settle(() => settled.push("cap"));
    for (let t = 0; t < DRAIN_MS - 100; t += 100) {
      reader.push("x");
      advance(100);
    }
    expect(settled).toHaveLength(3);
    advance(100);
    expect(settled).toEqual(["no paste", "end mark", "quiet", "cap"]);
    expect(got.filter((e) => e.kind === "key")).toEqual<TerminalInput[]>([ctrl("c"), ctrl("z"), ctrl("c")]);
    reader.stop();
    expect(pending()).toBe(0);
  });

  test("the ANSI backend: Ctrl-C inside a paste gives the terminal back only after the rest of the paste (the shell would run it)", async () => {
    const { clock } = fakeClock();
    let feed: (s: string) => void = () => {};
    const raw: boolean[] = [];
    const term: AnsiTerminal = { columns: () => 120, rows: () => 40, write: () => {}, raw: (on) => void raw.push(on), onData: (f) => ((feed = f), () => {}) };
    const app = demoApp(NOW, OPTS);
    let code = null as number | null;
    void runAnsiLive(
      app,
      { source: null, allowance: null, fps: 0, intervalSeconds: 60, pinnedNow: NOW, statusLine: () => null, color: true },
      term,
      clock,
    ).then((c) => (code = c));
    feed("\x1b[200~ab\x03rm -rf q\r");
    await Bun.sleep(0);
    expect({ code, raw }).toEqual({ code: null, raw: [true] });
    feed("echo more\r\x1b[201~");
    await Bun.sleep(0);
    expect({ code, raw }).toEqual({ code: 130, raw: [true, false] });
  });

  test("the ANSI backend: a lone Escape closes the help; a mouse report split after its ESC changes nothing", async () => {
    const { clock, advance } = fakeClock();
    let feed: (s: string) => void = () => {};
    const term: AnsiTerminal = { columns: () => 120, rows: () => 40, write: () => {}, raw: () => {}, onData: (f) => ((feed = f), () => {}) };
    const app = demoApp(NOW, OPTS);
    const done = runAnsiLive(
      app,
      { source: null, allowance: null, fps: 0, intervalSeconds: 60, pinnedNow: NOW, statusLine: () => null, color: true },
      term,
      clock,
    );
    const helpOpen = () => app.ui.popups.some((p) => p.kind === "help");
    const before = JSON.stringify(app.ui);
    feed("\x1b");
    advance(1);
    feed("[<35;10;5M");
    feed("\x1b");
    advance(1);
    feed("[200~rm q");
    advance(QUIET_MS);
    expect(JSON.stringify(app.ui)).toBe(before);
    feed("?");
    expect(helpOpen()).toBe(true);
    feed("\x1b");
    advance(ESC_MS);
    expect(helpOpen()).toBe(false);
    feed("q");
    expect(await done).toBe(0);
  });
});

describe("OpenTUI's stdin is ours", () => {
  test("keys, clicks and pastes come to the app's handler; only the terminal's answers reach OpenTUI", async () => {
    const source = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode(on: boolean): void };
    source.setRawMode = () => {};
    const input = readStdin(source as unknown as NodeJS.ReadStream);
    const forwarded: string[] = [];
    input.forward.on("data", (b: Buffer) => forwarded.push(b.toString()));
    const got: TerminalInput[] = [];
    source.write(Buffer.from([0x3f])); // (before the handler is set: it waits)
    await Bun.sleep(0);
    input.setHandler((inputs) => got.push(...inputs));
    source.write(Buffer.from([0x83, 0xc4]));
    source.write(Buffer.from([0x83, 0xf1]));
    source.write(Buffer.from("\x1bP>|tmux 3.3a\x1b\\\x1b[1;1R\x1b[<0;5;6M\x1b[200~hi\x1b[201~", "latin1"));
    await Bun.sleep(0);
    input.stop();
    expect(got).toEqual([
      { kind: "key", key: { name: "?", shift: false } },
      { kind: "key", key: { name: "ă", shift: false } },
      { kind: "mouse", action: "press", button: 0, x: 4, y: 5 },
      { kind: "paste", text: "hi" },
    ]);
    expect(forwarded.join("")).toBe("\x1bP>|tmux 3.3a\x1b\\\x1b[1;1R");
  });
});
