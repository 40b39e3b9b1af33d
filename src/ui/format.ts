// Number and time formatting shared by every text surface.

// No number here ever reads "Infinity", "NaN" or "∞", or takes an exponent: what is not a finite number prints
// as "–", and what is too large for its form is clamped (">999T", ">$999T", ">9999%").

/** What a formatter prints for a value that is not a finite number. */
const NONE = "–";

/** Compact token counts with at most 4 significant digits: 950, 12.3k, 4.56M, 1.2B, 3.4T; ">999T" beyond. */
export function compact(n: number): string {
  if (!Number.isFinite(n)) return NONE;
  const a = Math.abs(n);
  const fmt = (x: number, suffix: string) => `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}${suffix}`;
  if (a < 1000) return String(Math.round(n));
  if (a < 1e6) return fmt(n / 1e3, "k");
  if (a < 1e9) return fmt(n / 1e6, "M");
  if (a < 1e12) return fmt(n / 1e9, "B");
  if (a < 1e15) return fmt(n / 1e12, "T");
  return n < 0 ? "<-999T" : ">999T";
}

/**
 * Dollars with cents, everywhere the same ("$104.37", "$0.54"); whole dollars with separators from $10,000;
 * from a billion, compact ("$2.50B"); ">$999T" beyond.
 */
export function usd(n: number): string {
  if (!Number.isFinite(n)) return NONE;
  const a = Math.abs(n);
  if (a < 10_000) return `$${n.toFixed(2)}`;
  if (a < 999_999_999.5) return `$${Math.round(n).toLocaleString("en-US")}`;
  const c = compact(a);
  if (c === ">999T") return n < 0 ? "<-$999T" : ">$999T";
  return `${n < 0 ? "-" : ""}$${c}`;
}

/**
 * A count (responses, prompts, tool calls, errors) as a whole number with thousands separators, as dollars have
 * them: "1,234", "12,345,678"; from a trillion, compact ("1.20T"); ">999T" beyond.
 */
export function count(n: number): string {
  if (!Number.isFinite(n)) return NONE;
  if (Math.abs(n) < 999_999_999_999.5) return (Math.round(n) || 0).toLocaleString("en-US");
  return compact(n);
}

/** `part` as a whole percentage of `whole` ("42%"); "–" when there is no whole; ">9999%" beyond. */
export function percent(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(whole) || !Number.isFinite(part)) return NONE;
  const p = (100 * part) / whole;
  if (!Number.isFinite(p) || p >= 9999.5) return p < 0 ? "<-9999%" : ">9999%";
  if (p <= -9999.5) return "<-9999%";
  return `${p.toFixed(0)}%`;
}

/** A time that a Date can hold (about ±275,000 years), else null. */
function dateOf(t: number): Date | null {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "14:05" in local time. */
export function hhmm(t: number): string {
  const d = dateOf(t);
  if (!d) return NONE;
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * A model id as people say it: "claude-sonnet-4-5-20250929" → "sonnet-4.5", "claude-opus-4-6" → "opus-4.6",
 * "claude-3-5-haiku-20241022" → "haiku-3.5"; anything else without its "claude-" and date.
 */
export function shortModel(model: string): string {
  const m = model.replace(/^claude-/, "").replace(/-\d{8}(?=$|-|\[)/, "");
  let r = /^([a-z]+)-(\d+)-(\d{1,2})(?=$|[^\d])(.*)$/.exec(m);
  if (r) return `${r[1]}-${r[2]}.${r[3]}${r[4]}`;
  r = /^(\d+)-(\d{1,2})-([a-z]+)(.*)$/.exec(m);
  if (r) return `${r[3]}-${r[1]}.${r[2]}${r[4]}`;
  r = /^(\d+)-([a-z]+)(.*)$/.exec(m);
  if (r) return `${r[2]}-${r[1]}${r[3]}`;
  return m;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "14:05" on the day of `now`, "24 Nov" on another (local time): a list of times from several days stays in order. */
export function whenShort(t: number, now: number): string {
  const d = dateOf(t);
  if (!d) return NONE;
  return d.toDateString() === dateOf(now)?.toDateString() ? hhmm(t) : `${String(d.getDate()).padStart(2, " ")} ${MONTHS[d.getMonth()]}`;
}

/** "Thu 26": the local weekday and day of the month. */
export function weekdayDay(t: number): string {
  const d = dateOf(t);
  if (!d) return NONE;
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()}`;
}

/** A span of hours as a user reads it: "45 m", "24 h", "3 h 20 m", "30 d"; ">99,999 d" beyond. */
export function spanLabel(hours: number): string {
  if (!Number.isFinite(hours)) return NONE;
  const minutes = Math.round(hours * 60);
  if (minutes >= 100_000 * 1440) return ">99,999 d";
  if (minutes < 60) return `${minutes} m`;
  if (minutes % 1440 === 0 && minutes >= 3 * 1440) return `${minutes / 1440} d`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} m`;
}
