// The terminal's input bytes (raw mode, SGR mouse reporting, bracketed paste) as the app's input: keys named as
// keyAction knows them, clicks, wheel steps and pasted text. Portable and pure; the ANSI backend feeds it stdin.
import type { KeyPress } from "./ui-state.ts";

export type TerminalInput =
  | { kind: "key"; key: KeyPress }
  | { kind: "mouse"; action: "press" | "release" | "drag"; button: number; x: number; y: number }
  | { kind: "wheel"; direction: "up" | "down"; x: number; y: number }
  | { kind: "paste"; text: string };

const CSI_KEYS: Record<string, string> = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end", "5~": "pageup", "6~": "pagedown", "1~": "home", "4~": "end", "3~": "delete", "2~": "insert", Z: "backtab" };

/** Bytes a terminal sends, cut into inputs; an unfinished sequence at the end waits for the next chunk. */
export class InputParser {
  private pending = "";
  private pasting: string | null = null;

  feed(chunk: string): TerminalInput[] {
    let s = this.pending + chunk;
    this.pending = "";
    const out: TerminalInput[] = [];
    while (s.length > 0) {
      if (this.pasting !== null) {
        const end = s.indexOf("\x1b[201~");
        if (end < 0) {
          this.pasting += s;
          return out;
        }
        out.push({ kind: "paste", text: this.pasting + s.slice(0, end) });
        this.pasting = null;
        s = s.slice(end + 6);
        continue;
      }
      const ch = s[0]!;
      if (ch !== "\x1b") {
        out.push({ kind: "key", key: plainKey(ch) });
        // (a character outside the basic plane is two code units)
        s = s.slice(ch.codePointAt(0)! > 0xffff ? 2 : 1);
        continue;
      }
      if (s.length === 1) {
        out.push({ kind: "key", key: { name: "escape" } }); // (a lone Escape: nothing follows it in its chunk)
        break;
      }
      if (s[1] === "[" || s[1] === "O") {
        const m = /^\x1b[[O](<?)([\d;]*)([~A-Za-z])/.exec(s);
        if (!m) {
          if (/^\x1b[[O]<?[\d;]*$/.test(s)) this.pending = s; // unfinished: wait for the rest
          else out.push({ kind: "key", key: { name: "escape" } });
          if (this.pending) break;
          s = s.slice(2);
          continue;
        }
        s = s.slice(m[0].length);
        if (m[1] === "<") {
          const mouse = sgrMouse(m[2]!, m[3]!);
          if (mouse) out.push(mouse);
          continue;
        }
        if (m[2] === "200" && m[3] === "~") {
          this.pasting = "";
          continue;
        }
        const name = CSI_KEYS[m[3] === "~" ? `${m[2]}~` : m[3]!];
        if (name) out.push({ kind: "key", key: { name, shift: m[2]?.endsWith(";2") } });
        continue;
      }
      // Alt + a key: the key (as OpenTUI's path reads it)
      out.push({ kind: "key", key: plainKey(s[1]!) });
      s = s.slice(2);
    }
    return out;
  }
}

function plainKey(ch: string): KeyPress {
  const c = ch.charCodeAt(0);
  if (ch === "\r" || ch === "\n") return { name: "return" };
  if (ch === "\t") return { name: "tab" };
  if (ch === "\x7f" || ch === "\b") return { name: "backspace" };
  if (ch === " ") return { name: "space" };
  if (c < 32) return { name: String.fromCharCode(c + 96), ctrl: true }; // Ctrl-A … Ctrl-Z
  return { name: ch, shift: ch !== ch.toLowerCase() };
}

/** `ESC [ < b ; x ; y M|m`: b's low bits the button, +32 motion, +64 the wheel; coordinates from 1. */
function sgrMouse(params: string, final: string): TerminalInput | null {
  const [b, x, y] = params.split(";").map(Number);
  if (b === undefined || x === undefined || y === undefined || ![b, x, y].every(Number.isFinite)) return null;
  if (b & 64) return { kind: "wheel", direction: b & 1 ? "down" : "up", x: x - 1, y: y - 1 };
  if (b & 32) return { kind: "mouse", action: "drag", button: b & 3, x: x - 1, y: y - 1 };
  return { kind: "mouse", action: final === "M" ? "press" : "release", button: b & 3, x: x - 1, y: y - 1 };
}
