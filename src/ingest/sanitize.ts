// Text from transcripts is untrusted: it may hold escape sequences or other control characters.
// Everything we keep for display passes through here.

// C0 controls, DEL, C1 controls, and the bidi overrides that can reorder what a terminal shows.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

/** Replaces runs of control characters with one space and trims to `max` characters. */
export function cleanText(s: string, max = 300): string {
  const t = s.replace(CONTROL, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
