// Terminal input can never hang or end the live dashboard (issue 21, failures 5 and 13): a paste left open ends on
// its own (after QUIET_MS without bytes, or at PASTE_CAP), Ctrl-C and Ctrl-Z cut through a paste or a half sequence,
// the terminal's answers to OpenTUI's queries are not keys, and bytes that are not text (a lone 0x83, 0xF1, half an
// "ă") are no keys at all. Time is a fake clock throughout; the real terminal is in terminal.test.ts.
import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { runAnsiLive, type AnsiTerminal } from "../src/ui/ansi-live.ts";
import { readStdin } from "../src/ui/live.ts";
import { InputParser, InputReader, PASTE_CAP, QUIET_MS, type InputClock, type TerminalInput } from "../src/ui/terminal-input.ts";
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
    expect(p.feed("\x1b[200~more\x1a", 0)).toEqual([{ kind: "paste", text: "more" }, ctrl("z")]);
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
      const done = runAnsiLive(app, { source: null, allowance: null, fps: 0, intervalSeconds: 60, pinnedNow: NOW, statusLine: () => null, color: true }, term, clock);
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
    const answers = ["\x1b[?62;22c", "\x1b[?2026;2$y", "\x1bP>|tmux 3.3a\x1b\\", "\x1b]11;rgb:0000/0000/0000\x07", "\x1b]10;rgb:ffff/ffff/ffff\x1b\\", "\x1b[12;40R", "\x1b[?0u", "\x1b[4;600;800t", "\x1b_Gi=1;OK\x1b\\", "\x1b[I"];
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
