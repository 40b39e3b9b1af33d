// The terminal's input (raw mode, SGR mouse reporting, bracketed paste) as the app's input: keys named as keyAction
// knows them, clicks, wheel steps, pasted text, and the terminal's answers to queries (which are not input). Both
// live backends read stdin through this parser (OpenTUI only draws: its own parser took a stray byte such as 0x83
// for Alt-Ctrl-C and an unterminated paste for the rest of the session).
//
// Hostile or broken input never hangs it: a paste without its end mark ends after QUIET_MS without bytes or at
// PASTE_CAP characters (the rest of it is dropped up to its end mark or the quiet), an unfinished escape sequence is
// dropped QUIET_MS after it began or at SEQUENCE_CAP, and Ctrl-C and Ctrl-Z cut through any of them (after one inside
// a paste, the rest of that paste is dropped too, also when it comes after a Ctrl-Z and fg). Nor does a sequence the
// terminal split across chunks turn into keys: an ESC that ends a chunk waits ESC_MS for the rest before it is the
// Escape key (and a sequence's body that comes later still, as one chunk, is read as that sequence). Bytes that are
// not text (invalid UTF-8, as U+FFFD; C1 controls) are no keys. Pure: time comes in as an argument; InputReader
// below adds the timer.
import type { DashboardApp } from "./app.ts";
import type { KeyPress } from "./ui-state.ts";
import { type Clock, realClock } from "../shared/clock.ts";

export type TerminalInput =
  | { kind: "key"; key: KeyPress }
  | { kind: "mouse"; action: "press" | "release" | "drag"; button: number; x: number; y: number }
  | { kind: "wheel"; direction: "up" | "down"; x: number; y: number }
  | { kind: "paste"; text: string }
  /** a complete control sequence that is no key: a terminal's answer to a query (OpenTUI asks for some), focus */
  | { kind: "reply"; raw: string };

/** How long an unfinished paste may go without bytes, and an unfinished escape sequence may take, in ms. */
export const QUIET_MS = 500;
/** How long an ESC that ends a chunk waits for the rest of a sequence before it is the Escape key, in ms. */
export const ESC_MS = 50;
/** The most characters one paste gives (64 KiB of ASCII). */
export const PASTE_CAP = 64 * 1024;
/**
 * The longest the backends wait, after Ctrl-C or Ctrl-Z inside a paste, for the rest of that paste before they quit
 * or suspend (in ms): what is still coming would otherwise be read by the shell, as commands.
 */
export const DRAIN_MS = 2000;
/** The longest escape sequence or control string kept (a terminal's answers are far shorter). */
const SEQUENCE_CAP = 4096;

const PASTE_END = "\x1b[201~";

const CSI_KEYS: Record<string, string> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  Z: "backtab",
  "5~": "pageup",
  "6~": "pagedown",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
  "2~": "insert",
};
const SS3_KEYS: Record<string, string> = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end" };
/** What follows ESC in the sequences read here (CSI, SS3, OSC, DCS, APC, PM, SOS): not an Alt + key. */
const INTRO = /^[[O\]P_^X]/;
/** The keys that always act, even inside a paste or an escape sequence: Ctrl-C (quit) and Ctrl-Z (suspend). */
const isBreak = (c: number) => c === 0x03 || c === 0x1a;

interface Paste {
  parts: string[];
  length: number;
  /** past the cap, or after a break key: the rest is dropped up to the end mark or the quiet */
  skipping: boolean;
  lastAt: number;
  /** the start of what may be the end mark, split across chunks */
  tail: string;
}

/** Bytes a terminal sends (decoded as UTF-8), cut into inputs; an unfinished sequence waits for the next chunk. */
export class InputParser {
  private pending = "";
  private pendingSince = 0;
  private paste: Paste | null = null;
  /** the time of the last ESC that was taken for the Escape key after waiting ESC_MS alone, until the next chunk */
  private escAlone: number | null = null;
  /** the time of the chunk being read */
  private at = 0;

  constructor(
    private readonly quietMs = QUIET_MS,
    private readonly pasteCap = PASTE_CAP,
    private readonly escMs = ESC_MS,
  ) {}

  /** The inputs in `chunk`, read at `now` (epoch ms). */
  feed(chunk: string, now = 0): TerminalInput[] {
    const deadline = this.deadline();
    const out = deadline !== null && now >= deadline ? this.expire(now) : [];
    this.at = now;
    const since = this.pending ? this.pendingSince : now;
    // The rest of a sequence whose ESC came so much earlier that it was taken for the Escape key (a slow link) is
    // still that sequence, not keys: a chunk of more than one character that starts as a sequence's body, soon after.
    // (A person types one key a chunk: "[" alone after Escape is the key "[".)
    const alone = this.escAlone;
    this.escAlone = null;
    const resumed = alone !== null && !this.pending && !this.paste && now - alone < this.quietMs && chunk.length > 1 && INTRO.test(chunk);
    const s = (resumed ? "\x1b" : this.pending) + chunk;
    this.pending = "";
    let i = 0;
    while (i < s.length) {
      if (this.paste) {
        i = this.pasted(s, i, now, out);
        continue;
      }
      if (s.charCodeAt(i) !== 0x1b) {
        i = this.char(s, i, out);
        continue;
      }
      const next = this.escape(s, i, out);
      if (next >= 0) {
        i = next;
        continue;
      }
      // unfinished: wait for the rest (a sequence the terminal is still writing), unless it is already too long
      if (s.length - i > SEQUENCE_CAP) break;
      this.pending = s.slice(i);
      this.pendingSince = i === 0 ? since : now;
      break;
    }
    return out;
  }

  /** Whether a paste is open (being read, or its rest being dropped). */
  get pasting(): boolean {
    return this.paste !== null;
  }

  /** When expire() has something to end (epoch ms), or null when nothing waits. */
  deadline(): number | null {
    if (this.paste) return this.paste.lastAt + this.quietMs;
    if (this.pending === "\x1b") return this.pendingSince + this.escMs;
    if (this.pending) return this.pendingSince + this.quietMs;
    return null;
  }

  /** Ends what waited too long: a quiet paste gives what it has; an ESC alone is Escape; an unfinished sequence is dropped. */
  expire(now: number): TerminalInput[] {
    const out: TerminalInput[] = [];
    const deadline = this.deadline();
    if (deadline === null || now < deadline) return out;
    if (this.paste) this.endPaste(out);
    else if (this.pending === "\x1b") {
      out.push({ kind: "key", key: { name: "escape" } });
      this.escAlone = this.pendingSince;
    }
    this.pending = "";
    return out;
  }

  /**
   * Around a suspension (the terminal given back, then taken again at `now`): an unfinished sequence is forgotten,
   * and what is left of an open paste is dropped up to its end mark or QUIET_MS after `now` (what of a paste with a
   * Ctrl-Z in it the backends did not drain before stopping, or a paste cut by a SIGTSTP, comes after fg: no keys).
   */
  reset(now = this.at): void {
    this.pending = "";
    this.escAlone = null;
    if (this.paste) this.paste = { parts: [], length: this.paste.length, skipping: true, lastAt: now, tail: "" };
  }

  /** One character outside any sequence, as a key (text that is no key gives nothing). */
  private char(s: string, i: number, out: TerminalInput[]): number {
    const cp = s.codePointAt(i)!;
    const key = plainKey(cp);
    if (key) out.push({ kind: "key", key });
    return i + (cp > 0xffff ? 2 : 1);
  }

  /** The sequence starting with the ESC at i: its inputs into `out`; where the next one starts, or -1: unfinished. */
  private escape(s: string, i: number, out: TerminalInput[]): number {
    if (i + 1 >= s.length) return -1; // (Escape, or a sequence the terminal split: expire() tells after ESC_MS)
    const intro = s[i + 1]!;
    if (intro === "[") return this.csi(s, i, out);
    if (intro === "]" || intro === "P" || intro === "_" || intro === "^" || intro === "X") return controlString(s, i, out);
    if (intro === "O") {
      if (i + 2 >= s.length) return -1;
      const f = s.charCodeAt(i + 2);
      if (f < 0x40 || f > 0x7e) return i + 2; // (not SS3: an Alt-O, dropped; the rest is read as it comes)
      const name = SS3_KEYS[s[i + 2]!];
      if (name) out.push({ kind: "key", key: { name, shift: false } });
      return i + 3;
    }
    if (intro === "\x1b") {
      out.push({ kind: "key", key: { name: "escape" } });
      return i + 1;
    }
    // Alt + a key: the key (as OpenTUI reads it); Alt + Ctrl-C is still Ctrl-C
    return this.char(s, i + 1, out);
  }

  /** `ESC [ params intermediates final`, the X10 mouse `ESC [ M b x y`, and the start of a paste. */
  private csi(s: string, i: number, out: TerminalInput[]): number {
    let j = i + 2;
    if (s[j] === "M") {
      // (its three bytes are never control characters, but NUL for a coordinate past 223: a stray prefix does not
      // swallow a Ctrl-C, a Ctrl-Z or the next sequence; it ends unread, and that character is read anew)
      for (let k = j + 1; k <= j + 3 && k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c < 0x20 && c !== 0) return k;
      }
      if (j + 3 >= s.length) return -1;
      const [b, x, y] = [s.charCodeAt(j + 1) - 32, s.charCodeAt(j + 2) - 33, s.charCodeAt(j + 3) - 33];
      // (b's low bits 3: a release, of whichever button)
      if (x >= 0 && y >= 0 && b >= 0) out.push((b & 3) === 3 && !(b & 64) ? { kind: "mouse", action: "release", button: 0, x, y } : mouseOf(b, x, y, "M"));
      return j + 4;
    }
    while (j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x3f) j++;
    const paramsEnd = j;
    while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
    if (j >= s.length) return -1;
    const f = s.charCodeAt(j);
    // Anything else inside a sequence (a control character, text) ends it unread; that character is read anew.
    if (f < 0x40 || f > 0x7e) return j;
    const params = s.slice(i + 2, paramsEnd);
    const final = s[j]!;
    const plain = paramsEnd === j && !/^[<=>?]/.test(params);
    if (params.startsWith("<") && (final === "M" || final === "m") && paramsEnd === j) {
      const [b, x, y] = params.slice(1).split(";").map(Number);
      if (b !== undefined && x !== undefined && y !== undefined && [b, x, y].every((v) => Number.isInteger(v) && v >= 0) && x > 0 && y > 0)
        out.push(mouseOf(b, x - 1, y - 1, final));
    } else if (plain && final === "~" && params === "200") {
      this.paste = { parts: [], length: 0, skipping: false, lastAt: this.at, tail: "" };
    } else if (plain && final === "~" && params === "201") {
      // (an end mark with no paste: nothing)
    } else if (plain && (final === "~" || CSI_KEYS[final])) {
      const fields = params.split(";");
      const name = CSI_KEYS[final === "~" ? `${fields[0]}~` : final];
      if (name) out.push({ kind: "key", key: { name, shift: params.endsWith(";2") } });
    } else if (plain && final === "u") {
      const key = kittyKey(params);
      if (key) out.push({ kind: "key", key });
    } else {
      out.push({ kind: "reply", raw: s.slice(i, j + 1) });
    }
    return j + 1;
  }

  /** Inside a paste: text up to the end mark, a break key (which acts; the rest is dropped), or the end of the chunk. */
  private pasted(s: string, i: number, now: number, out: TerminalInput[]): number {
    const p = this.paste!;
    p.lastAt = now;
    const text = p.tail + s.slice(i);
    const back = p.tail.length;
    p.tail = "";
    const end = text.indexOf(PASTE_END);
    let brk = -1;
    for (let k = back; k < text.length && (end < 0 || k < end); k++) {
      if (isBreak(text.charCodeAt(k))) {
        brk = k;
        break;
      }
    }
    if (brk >= 0) {
      // What came before it is the paste; the key acts; the rest of the paste (up to its end mark or the quiet) is
      // dropped, not read as keys.
      this.add(text.slice(0, brk), out);
      if (!p.skipping) out.push({ kind: "paste", text: p.parts.join("") });
      p.parts = [];
      p.skipping = true;
      out.push({ kind: "key", key: plainKey(text.charCodeAt(brk))! });
      return i + brk - back + 1;
    }
    if (end >= 0) {
      this.add(text.slice(0, end), out);
      this.endPaste(out);
      return i + end + PASTE_END.length - back;
    }
    let keep = Math.min(PASTE_END.length - 1, text.length);
    while (keep > 0 && !PASTE_END.startsWith(text.slice(text.length - keep))) keep--;
    this.add(text.slice(0, text.length - keep), out);
    p.tail = text.slice(text.length - keep);
    return s.length;
  }

  private add(text: string, out: TerminalInput[]): void {
    const p = this.paste!;
    if (p.skipping || !text) return;
    const room = this.pasteCap - p.length;
    if (text.length < room || (text.length === room && room > 0)) {
      p.parts.push(text);
      p.length += text.length;
      return;
    }
    // The cap: what fits is the paste (never half a surrogate pair); the rest is dropped until the paste ends.
    let cut = Math.max(0, room);
    if (cut > 0 && cut < text.length && /[\ud800-\udbff]/.test(text[cut - 1]!)) cut--;
    p.parts.push(text.slice(0, cut));
    out.push({ kind: "paste", text: p.parts.join("") });
    p.parts = [];
    p.skipping = true;
  }

  private endPaste(out: TerminalInput[]): void {
    const p = this.paste!;
    if (!p.skipping) out.push({ kind: "paste", text: p.parts.join("") });
    this.paste = null;
  }
}

/** `ESC ] … BEL|ST`, `ESC P …`, `ESC _ …`, `ESC ^ …`, `ESC X … ST`: a terminal's answer, or -1: unfinished. */
function controlString(s: string, i: number, out: TerminalInput[]): number {
  for (let j = i + 2; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x07 || c === 0x9c) {
      out.push({ kind: "reply", raw: s.slice(i, j + 1) });
      return j + 1;
    }
    if (c === 0x1b) {
      if (j + 1 >= s.length) return -1;
      if (s[j + 1] === "\\") {
        out.push({ kind: "reply", raw: s.slice(i, j + 2) });
        return j + 2;
      }
      return j; // (another sequence begins: this one is dropped)
    }
    if (isBreak(c) || c === 0x18) return j; // (Ctrl-C, Ctrl-Z and CAN cut it short; they are read anew)
  }
  return -1;
}

function mouseOf(b: number, x: number, y: number, final: string): TerminalInput {
  if (b & 64) return { kind: "wheel", direction: b & 1 ? "down" : "up", x, y };
  if (b & 32) return { kind: "mouse", action: "drag", button: b & 3, x, y };
  return { kind: "mouse", action: final === "M" ? "press" : "release", button: b & 3, x, y };
}

/** A key of the kitty keyboard protocol, `ESC [ code[:alt] ; mods[:event] u` (a release gives nothing). */
function kittyKey(params: string): KeyPress | null {
  const [codes = "", mods = ""] = params.split(";");
  const code = Number(codes.split(":")[0]);
  const [m = "1", event = "1"] = mods.split(":");
  const bits = Number(m) - 1;
  if (!Number.isInteger(code) || event === "3") return null;
  const named: Record<number, string> = { 13: "return", 9: "tab", 27: "escape", 127: "backspace", 32: "space" };
  if (named[code]) return { name: named[code]!, ctrl: (bits & 4) !== 0, shift: (bits & 1) !== 0 };
  if (code < 0x21 || code > 0x10ffff || (code >= 0xe000 && code <= 0xf8ff) || code >= 0xf0000) return null; // (functional keys in the private area)
  const ch = String.fromCodePoint(code);
  if (bits & 4) return { name: ch.toLowerCase(), ctrl: true, shift: (bits & 1) !== 0 };
  const typed = bits & 1 ? ch.toUpperCase() : ch;
  return plainKey(typed.codePointAt(0)!);
}

/** A character outside any sequence as a key; null for what is no key (U+FFFD for a byte that was not UTF-8, C1). */
function plainKey(cp: number): KeyPress | null {
  if (cp === 0x0d || cp === 0x0a) return { name: "return" };
  if (cp === 0x09) return { name: "tab" };
  if (cp === 0x7f || cp === 0x08) return { name: "backspace" };
  if (cp === 0x20) return { name: "space" };
  if (cp < 0x20) return { name: String.fromCharCode(cp + 96), ctrl: true }; // Ctrl-A … Ctrl-Z
  if ((cp >= 0x80 && cp < 0xa0) || cp === 0xfffd || (cp >= 0xd800 && cp <= 0xdfff)) return null;
  const ch = String.fromCodePoint(cp);
  return { name: ch, shift: ch !== ch.toLowerCase() };
}

/** Hands one parsed input to the app, the same on both backends: left clicks, wheel steps, keys, pasted text. */
export function applyInput(app: DashboardApp, ev: TerminalInput): void {
  if (ev.kind === "key") app.key(ev.key);
  else if (ev.kind === "wheel") app.key({ name: ev.direction });
  else if (ev.kind === "mouse" && ev.action === "press" && ev.button === 0) app.click(ev.x, ev.y);
  else if (ev.kind === "paste" && app.ui.typing) app.dispatch({ type: "type", text: ev.text.replace(/[\r\n]+/g, " ") });
}

/** The time and timers InputReader uses (a fake in tests). */
export type InputClock = Clock;
export const systemInputClock: InputClock = realClock;

/**
 * The parser with its timer: chunks in, inputs out, and what waited too long ended on time (a paste left open, an
 * Escape ESC_MS after its ESC).
 */
export class InputReader {
  private timer: unknown = null;
  private stopped = false;
  /** what waits for the open paste to end (settle) */
  private waiting: (() => void)[] = [];
  private drainTimer: unknown = null;
  readonly parser: InputParser;

  constructor(
    private readonly deliver: (inputs: TerminalInput[]) => void,
    private readonly clock: InputClock = systemInputClock,
    parser?: InputParser,
  ) {
    this.parser = parser ?? new InputParser();
  }

  push(chunk: string): void {
    if (this.stopped) return;
    this.handle(this.parser.feed(chunk, this.clock.now()));
  }

  /** No more input (and no timer left to hold the process). */
  stop(): void {
    this.stopped = true;
    this.disarm();
    this.release();
  }

  /**
   * Calls `done` once no paste is open: at once, or when the paste being read ends (its end mark, or QUIET_MS
   * without bytes), at most `capMs` later. Ctrl-C or Ctrl-Z inside a paste quits or suspends only after it: the rest
   * of a paste still on its way would otherwise go to the shell once we give the terminal back, and run there.
   */
  settle(done: () => void, capMs = DRAIN_MS): void {
    if (this.stopped || !this.parser.pasting) return done();
    this.waiting.push(done);
    this.drainTimer ??= this.clock.setTimeout(() => {
      this.drainTimer = null;
      this.release();
    }, capMs);
  }

  /** Around a suspension (see InputParser.reset); no timer until the next chunk, so none runs while stopped. */
  reset(): void {
    this.disarm();
    this.parser.reset(this.clock.now());
  }

  private handle(inputs: TerminalInput[]): void {
    this.disarm();
    const deadline = this.parser.deadline();
    if (deadline !== null && !this.stopped) {
      this.timer = this.clock.setTimeout(
        () => {
          this.timer = null;
          if (this.stopped) return;
          this.handle(this.parser.expire(this.clock.now()));
        },
        Math.max(0, deadline - this.clock.now()),
      );
    }
    if (inputs.length > 0) this.deliver(inputs);
    if (this.waiting.length > 0 && !this.parser.pasting) this.release();
  }

  private release(): void {
    if (this.drainTimer !== null) this.clock.clearTimeout(this.drainTimer);
    this.drainTimer = null;
    const waiting = this.waiting;
    this.waiting = [];
    for (const f of waiting) f();
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
