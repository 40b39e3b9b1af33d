// The one sanitizer. Text from transcripts, the network, telemetry and file names is untrusted: it may hold escape
// sequences, other control characters, bidi controls that reorder what a terminal shows, or (from a hostile server)
// the user's own token. Everything drawn is checked cell by cell (the cell grid redacts a string, then makes each unsafe
// character a space); everything kept or printed goes through `cleanText`; whatever came back from a server holding the
// token goes through `redactSecret` first.

// C0 controls, DEL, C1 controls; the bidi marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–E,
// U+2066–9); and the line and paragraph separators U+2028/9 (a terminal may break a line there). One list drives
// both the per-character check (the canvas, per cell) and the regular expressions (whole strings).
const UNSAFE_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x61c, 0x61c],
  [0x200e, 0x200f],
  [0x2028, 0x2029],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
];
const hex = (cp: number) => `\\u${cp.toString(16).padStart(4, "0")}`;
const CLASS = `[${UNSAFE_RANGES.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join("")}]`;
const UNSAFE = new RegExp(`${CLASS}+`, "g");
const UNSAFE_ONE = new RegExp(CLASS);
const LAST = Math.max(...UNSAFE_RANGES.map(([, b]) => b));

/** True when the code point is one no terminal should receive from untrusted text. */
export function isUnsafe(cp: number): boolean {
  // (printable ASCII, and everything past the last range — box drawing, blocks — are most of every frame)
  if ((cp >= 0x20 && cp < 0x7f) || cp > LAST) return false;
  for (let i = 0; i < UNSAFE_RANGES.length; i++) if (cp >= UNSAFE_RANGES[i]![0] && cp <= UNSAFE_RANGES[i]![1]) return true;
  return false;
}

/** Replaces runs of control, bidi and separator characters with one space, redacts secrets, and trims to `max` characters. */
export function cleanText(s: string, max = 300): string {
  const t = redact(s).replace(UNSAFE, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * Escapes for JSON text: JSON.stringify escapes C0 controls itself; DEL, the C1 controls, the bidi controls and the line
 * and paragraph separators it leaves raw become `\uXXXX` too, so no consumer that prints a value can be steered.
 */
const JSON_CLASS = `[${UNSAFE_RANGES.filter(([a]) => a > 0x1f)
  .map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`))
  .join("")}]`;
const JSON_UNSAFE = new RegExp(JSON_CLASS, "g");
const JSON_UNSAFE_ONE = new RegExp(JSON_CLASS);

/** `value` as JSON text (indented by `indent`), with every unsafe character escaped and every secret redacted. */
export function jsonText(value: unknown, indent = 2): string {
  const t = JSON.stringify(value, null, indent) ?? "null";
  return redact(JSON_UNSAFE_ONE.test(t) ? t.replace(JSON_UNSAFE, (c) => hex(c.charCodeAt(0))) : t);
}

/** Text for a terminal or a file, line by line: unsafe characters become spaces (one for one), newlines stay. */
export function printable(s: string): string {
  return redact(UNSAFE_ONE.test(s) ? s.replace(UNSAFE, (m) => m.replace(/[^\n]/g, " ")) : s);
}

/** `s` with each unsafe character replaced by `by` (one for one), and secrets redacted. */
export function replaceUnsafe(s: string, by: string): string {
  return redact(UNSAFE_ONE.test(s) ? s.replace(UNSAFE, (m) => by.repeat(m.length)) : s);
}

/** The shortest run of a secret that counts as a leak of it (a token is some 100 characters of random text). */
const LEAK_RUN = 8;
/** Shorter secrets are redacted where they appear whole; a secret shorter than this is not one (it would blot out words). */
const MIN_SECRET = 4;

// Every credential the process holds (the OAuth token, a Prometheus bearer, header values, a URL's password, the OTLP
// token), registered as soon as it is known. `redact` takes them out of any text: the whole secret, and any run of
// LEAK_RUN or more of its characters. The common case (no secret in the text) costs one pass of a rolling hash of
// LEAK_RUN characters over the text, with no allocation.
const secrets: string[] = [];
const short: string[] = [];
let shortWords: RegExp | null = null;
const runHashes = new Set<number>();
const BASE = 0x01000193;
let basePow = 1; // BASE^(LEAK_RUN-1) mod 2^32
for (let i = 1; i < LEAK_RUN; i++) basePow = Math.imul(basePow, BASE);

function runHash(s: string, at: number): number {
  let h = 0;
  for (let i = at; i < at + LEAK_RUN; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
  return h;
}

/** Makes `secret` one that `redact` takes out of every text from now on (null, empty and very short values are not secrets). */
export function registerSecret(secret: string | null | undefined): void {
  const s = secret?.trim();
  if (!s || s.length < MIN_SECRET || secrets.includes(s) || short.includes(s)) return;
  if (s.length < LEAK_RUN) {
    // (a short one is redacted only as a whole word, and a number is none: "2000" as a secret would otherwise turn
    // every 2000 of a JSON document or a frame into "[redacted]")
    if (/^[0-9.,]+$/.test(s)) return;
    short.push(s);
    shortWords = new RegExp(short.map((t) => `(?<![A-Za-z0-9_])${t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_])`).join("|"), "g");
    return;
  }
  secrets.push(s);
  for (let i = 0; i + LEAK_RUN <= s.length; i++) runHashes.add(runHash(s, i));
}

/** The registered secrets (for a reader thread, which has its own copy of this module). */
export function registeredSecrets(): string[] {
  return [...secrets, ...short];
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  secrets.length = 0;
  short.length = 0;
  shortWords = null;
  runHashes.clear();
}

/** Whether some run of LEAK_RUN characters of `s` may belong to a registered secret (false: it holds none). */
function mayHoldSecret(s: string): boolean {
  if (s.length < LEAK_RUN || runHashes.size === 0) return false;
  let h = runHash(s, 0);
  if (runHashes.has(h)) return true;
  for (let i = LEAK_RUN; i < s.length; i++) {
    h = (Math.imul(h - Math.imul(s.charCodeAt(i - LEAK_RUN), basePow), BASE) + s.charCodeAt(i)) | 0;
    if (runHashes.has(h)) return true;
  }
  return false;
}

/** `s` without any registered secret or run of one, and without anything shaped like an Anthropic key. */
export function redact(s: string): string {
  let out = s;
  if (out.includes("sk-ant-")) out = out.replace(/sk-ant-[A-Za-z0-9_-]+/g, "[redacted]");
  if (shortWords && short.some((t) => out.includes(t))) out = out.replace(shortWords, "[redacted]");
  if (mayHoldSecret(out)) for (const t of secrets) out = cutRuns(out, t);
  return out;
}

/**
 * `s` with the secret, and every run of LEAK_RUN or more of its characters, replaced by "[redacted]"; also anything
 * shaped like an Anthropic key or a bearer credential. For text that came from a server the token was sent to.
 */
export function redactSecret(s: string, secret: string | null): string {
  const out = redact(s).replace(/Bearer\s+\S+/gi, "Bearer [redacted]");
  if (!secret || secret.length < LEAK_RUN) return secret ? out.split(secret).join("[redacted]") : out;
  return cutRuns(out, secret);
}

/** `s` with `secret` and every run of LEAK_RUN or more of its characters replaced by "[redacted]". */
function cutRuns(s: string, secret: string): string {
  let out = s.split(secret).join("[redacted]");
  // Any LEAK_RUN-long window of the secret found in the text: widen it to the longest common run and cut it out.
  for (let i = 0; i + LEAK_RUN <= secret.length; i++) {
    const probe = secret.slice(i, i + LEAK_RUN);
    let at = out.indexOf(probe);
    while (at >= 0) {
      let end = at + LEAK_RUN;
      let j = i + LEAK_RUN;
      while (end < out.length && j < secret.length && out[end] === secret[j]) {
        end++;
        j++;
      }
      let start = at;
      let k = i;
      while (start > 0 && k > 0 && out[start - 1] === secret[k - 1]) {
        start--;
        k--;
      }
      out = `${out.slice(0, start)}[redacted]${out.slice(end)}`;
      at = out.indexOf(probe, start + 10);
    }
  }
  return out;
}
