// Command-line flags: one table (FLAGS) says how each is given and what --help says of it, a small reader takes
// them from argv (yargs cost a sixth of a warm start to load), zod checks the values. A bad flag is a one-line message
// naming it (exit 2).
import { FLAGS, helpFlags } from "./shared/flags.ts";
import { z } from "zod";
import { validTimeZone } from "./model/history-view.ts";

export interface Options {
  json: boolean;
  demo: boolean;
  roots: string[];
  /** pinned clock (epoch ms), or null for the wall clock. */
  now: number | null;
  windowHours: number;
  /** null when not given: --json uses 5, the dashboard fits the window to the chart width. */
  bucketMinutes: number | null;
  once: boolean;
  plain: boolean;
  /** escape codes in --once: auto (only to a terminal), always, never (= --plain) */
  color: "auto" | "always" | "never";
  theme: "dark" | "light" | "cb";
  /** the live dashboard's terminal backend: OpenTUI (Bun's default) or the portable ANSI one; null: by runtime */
  backend: "opentui" | "ansi" | null;
  exportDir: string;
  /** a Prometheus-compatible engine to read the team's metrics from (INSIGHTS), and extra headers for it */
  prometheus: string | null;
  prometheusHeaders: string[];
  /** seconds between refreshes from --prometheus */
  prometheusInterval: number;
  /** frame size for --once; null: the terminal's, or 152×48 when not a terminal. */
  width: number | null;
  height: number | null;
  fps: number;
  /** seconds between file checks in the live dashboard. */
  interval: number;
  activeWindowHours: number;
  view: "live" | "history" | "insights";
  insightsHours: number;
  historyHours: number;
  historyBucketMinutes: number | null;
  /** IANA zone for HISTORY's heatmap and day labels. */
  tz: string | undefined;
  /** USD per million tokens replacing every model's base input price. */
  pricePerMtok: number | undefined;
  /** --pricing: a LiteLLM-shaped price file that overrides or extends the built-in table, or null. */
  pricing: string | null;
  /** false with --no-allowance. */
  allowance: boolean;
  apiBase: string;
  /** seconds between allowance requests (at least 60). */
  allowanceInterval: number;
  /** the OTLP receiver's address, or null when off. */
  otlp: { host: string; port: number; explicitHost: boolean } | null;
  otlpToken: string | null;
  otlpRetentionDays: number;
  headless: boolean;
  /** INSIGHTS' data: local transcripts, team telemetry or both. */
  source: "local" | "team" | "both" | "prometheus";
  /** false with --no-store: keep no history, write nothing. */
  store: boolean;
  /** --since: the start of the window (epoch ms), or null. */
  since: number | null;
  /** --report: a cost table of all history. */
  report: "daily" | "weekly" | "monthly" | "session" | null;
  /** --store-info: where the store is and what it holds. */
  storeInfo: boolean;
  /** --acknowledge-loss: stop saying, on every run, that usage history was lost (the store was damaged or deleted). */
  acknowledgeLoss: boolean;
}

export class UsageError extends Error {}

/** The longest window a flag may ask for, in hours (a century: "all of it" in practice). */
const MAX_HOURS = 100 * 8766;
/** An explicit --bucket-minutes may make at most this many buckets (beyond, the output itself becomes the problem). */
export const MAX_BUCKETS = 1_000_000;
const hours = (flag: string) =>
  z
    .number({ message: `--${flag} must be a number` })
    .gt(0, `--${flag} must be more than 0`)
    .max(MAX_HOURS, `--${flag} must be at most ${MAX_HOURS} (a century)`);

/** A flag that takes an ISO-8601 instant (epoch ms once parsed), or null when not given. */
const instant = (flag: string) =>
  z
    .string()
    .nullable()
    .transform((s, ctx) => {
      if (s === null) return null;
      const t = parseInstant(s);
      if (typeof t === "string") {
        ctx.addIssue({ code: "custom", message: `--${flag} ${t} (got "${s}")` });
        return z.NEVER;
      }
      return t;
    });

const Schema = z.object({
  json: z.boolean(),
  demo: z.boolean(),
  root: z.array(z.string().min(1, "--root needs a directory")),
  now: instant("now"),
  "window-hours": hours("window-hours"),
  "bucket-minutes": z
    .number({ message: "--bucket-minutes must be a number" })
    .int("--bucket-minutes must be a whole number of minutes")
    .min(1, "--bucket-minutes must be at least 1")
    .max(7 * 24 * 60, "--bucket-minutes must be at most 10080 (a week)")
    .optional(),
  once: z.boolean(),
  plain: z.boolean(),
  color: z.enum(["auto", "always", "never"], { message: "--color must be auto, always or never" }),
  theme: z.enum(["dark", "light", "cb"], { message: "--theme must be dark, light or cb" }),
  backend: z.enum(["opentui", "ansi"], { message: "--backend must be opentui or ansi" }).nullable(),
  "export-dir": z.string().min(1, "--export-dir needs a directory"),
  prometheus: z
    .string()
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), { message: "--prometheus must be an http(s) URL such as http://localhost:9090" })
    .nullable(),
  "prometheus-interval": z
    .number({ message: "--prometheus-interval must be a number" })
    .min(5, "--prometheus-interval must be at least 5 seconds")
    .max(86_400, "--prometheus-interval must be at most 86400 seconds"),
  "prometheus-header": z.array(z.string().refine((h) => h.indexOf(":") > 0, { message: '--prometheus-header must be "Name: value"' })),
  width: z
    .number({ message: "--width must be a number" })
    .int("--width must be a whole number")
    .min(1, "--width must be at least 1")
    .max(1000, "--width must be at most 1000")
    .optional(),
  height: z
    .number({ message: "--height must be a number" })
    .int("--height must be a whole number")
    .min(1, "--height must be at least 1")
    .max(500, "--height must be at most 500")
    .optional(),
  fps: z.number({ message: "--fps must be a number" }).min(0, "--fps must be 0 (no animation) or more").max(120, "--fps must be at most 120"),
  view: z.enum(["live", "history", "insights"], { message: "--view must be live, history or insights" }),
  "insights-hours": hours("insights-hours"),
  "history-hours": hours("history-hours"),
  "history-bucket-minutes": z
    .number({ message: "--history-bucket-minutes must be a number" })
    .int("--history-bucket-minutes must be a whole number")
    .min(1, "--history-bucket-minutes must be at least 1")
    .max(10080, "--history-bucket-minutes must be at most 10080")
    .optional(),
  tz: z
    .string()
    .optional()
    .refine((v) => v === undefined || validTimeZone(v), { message: "--tz must be a time zone such as Europe/Berlin or UTC" }),
  pricing: z.string().min(1, "--pricing needs a file").nullable(),
  "price-per-mtok": z
    .number({ message: "--price-per-mtok must be a number" })
    .gt(0, "--price-per-mtok must be more than 0")
    .max(10_000, "--price-per-mtok must be at most 10000")
    .optional(),
  allowance: z.boolean(),
  "api-base": z
    .string()
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), { message: "--api-base must be an http(s) URL such as https://api.anthropic.com" }),
  "allowance-interval": z
    .number({ message: "--allowance-interval must be a number" })
    .min(60, "--allowance-interval must be at least 60 seconds")
    .max(86_400, "--allowance-interval must be at most 86400 seconds"),
  otlp: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return null;
      const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(v.trim() === "" ? "4318" : v.trim());
      const port = m ? Number(m[2]) : NaN;
      if (!m || port < 1 || port > 65535) {
        ctx.addIssue({ code: "custom", message: `--otlp must be [HOST:]PORT such as 4318 or 0.0.0.0:4318 (got "${v}")` });
        return z.NEVER;
      }
      return { host: m[1]?.replace(/^\[|\]$/g, "") ?? "127.0.0.1", port, explicitHost: m[1] !== undefined };
    }),
  "otlp-token": z.string().min(8, "--otlp-token must be at least 8 characters").optional(),
  "otlp-retention-days": z
    .number({ message: "--otlp-retention-days must be a number" })
    .gt(0, "--otlp-retention-days must be more than 0")
    .max(3650, "--otlp-retention-days must be at most 3650"),
  headless: z.boolean(),
  source: z.enum(["local", "team", "both", "prometheus"], { message: "--source must be local, team, both or prometheus" }),
  interval: z
    .number({ message: "--interval must be a number" })
    .min(0.2, "--interval must be at least 0.2 seconds")
    .max(3600, "--interval must be at most 3600 seconds"),
  "active-window-hours": hours("active-window-hours"),
  store: z.boolean(),
  since: instant("since"),
  report: z.enum(["daily", "weekly", "monthly", "session"], { message: "--report must be daily, weekly, monthly or session" }).nullable(),
  "store-info": z.boolean(),
  "acknowledge-loss": z.boolean(),
});

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** An unambiguous ISO-8601 instant: a date (midnight UTC), or a date and time with Z or an offset. */
function parseInstant(s: string): number | string {
  const m = INSTANT.exec(s.trim());
  if (!m) return "must be an ISO-8601 time such as 2026-11-26T18:00:00Z";
  if (m[4] !== undefined && m[7] === undefined) return "needs a time zone: add Z (UTC) or an offset such as +01:00";
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return "is not a real date";
  if (Number(m[4] ?? 0) > 23 || Number(m[5] ?? 0) > 59 || Number(m[6] ?? 0) > 59) return "is not a real time";
  const t = Date.parse(s.trim());
  return Number.isFinite(t) ? t : "must be an ISO-8601 time such as 2026-11-26T18:00:00Z";
}

const BY_NAME = new Map(FLAGS.map((f) => [f.name, f]));
export { FLAGS, helpFlags };

const HELP_EPILOG = "Reads ~/.claude/projects/**/*.jsonl (and ~/.config/claude, or $CLAUDE_CONFIG_DIR). Never writes to them.";

/** --help: every flag with its value, what it does and its default, wrapped to `width` columns. */
export function helpText(width = 100): string {
  const rows: [string, string][] = FLAGS.map((f) => {
    const left = f.kind === "boolean" && f.default === true ? `--${f.name}, --no-${f.name}` : `--${f.name}${f.value ? ` ${f.value}` : ""}`;
    const d = f.default;
    const shown =
      d === undefined || d === null || d === false || (Array.isArray(d) && d.length === 0) || f.kind === "boolean" ? "" : ` (default: ${String(d)})`;
    return [left, f.describe + shown];
  });
  rows.push(["--version", "print the version"], ["-h, --help", "this help"]);
  // (the description column starts after the longest flag, up to 32 columns; a longer flag has its text below it)
  const col = Math.min(32, Math.max(...rows.map(([l]) => l.length)) + 4);
  const room = Math.max(30, width - col);
  const out = [
    "claude-dash [options]",
    "",
    ...wrapWords("What Claude Code is spending: tokens by cache disposition, cost, sessions, subagents.", width),
    "",
    "Options:",
  ];
  for (const [left, text] of rows) {
    const lines = wrapWords(text, room);
    if (left.length + 4 > col) out.push(`  ${left}`, ...lines.map((l) => `${" ".repeat(col)}${l}`));
    else {
      out.push(`  ${left.padEnd(col - 2)}${lines[0]}`);
      for (const l of lines.slice(1)) out.push(`${" ".repeat(col)}${l}`);
    }
  }
  out.push("", ...wrapWords(HELP_EPILOG, width));
  return `${out.join("\n")}\n`;
}

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const w of text.split(" ")) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines;
}

/** A number as a user writes one (no hex, no Infinity). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A value that is a negative number (given to a flag that wants one, it is its value, not a flag). */
const NEGATIVE = /^-[0-9.]/;

/** Flags that do one thing and exit: a default of them would turn every run into that thing. */
const ACTIONS = new Set(["acknowledge-loss", "store-info"]);

/** Keys of the config file that are not flags of the dashboard: `animation`, and the status line's format (a flag of
 *  `claude-dash statusline`, which reads it itself). */
const CONFIG_ONLY = new Set(["animation", "statusline-format"]);

/**
 * The config file's values as flag values (see config.ts): each key a flag's name, of the flag's kind. Throws
 * UsageError naming the key.
 */
function readConfigValues(config: Readonly<Record<string, unknown>>, file: string, home: string | null): Record<string, unknown> {
  // (no shell expands ~ in a file: a path there may start with it)
  const path = (v: unknown) => (typeof v === "string" && home && (v === "~" || v.startsWith("~/")) ? `${home}${v.slice(1)}` : v);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(config)) {
    if (key === "statusline-format") {
      if (typeof v !== "string") throw new UsageError(`${file}: ${key} must be a string (in quotes)`);
      continue;
    }
    if (CONFIG_ONLY.has(key)) {
      if (typeof v !== "boolean") throw new UsageError(`${file}: ${key} must be true or false`);
      if (key === "animation" && !v && !("fps" in config)) out.fps = 0;
      continue;
    }
    const flag = BY_NAME.get(key);
    if (!flag) throw new UsageError(`${file}: unknown key ${key} (the keys are the flags' names, such as window-hours)`);
    if (ACTIONS.has(key)) throw new UsageError(`${file}: ${key} is something to do once, on the command line, not a default`);
    const ok =
      flag.kind === "boolean"
        ? typeof v === "boolean"
        : flag.kind === "number"
          ? typeof v === "number"
          : flag.kind === "list"
            ? Array.isArray(v) || typeof v === "string"
            : typeof v === "string";
    if (!ok)
      throw new UsageError(
        `${file}: ${key} must be ${flag.kind === "boolean" ? "true or false" : flag.kind === "number" ? "a number" : flag.kind === "list" ? "a string or a list of strings" : "a string (in quotes)"}`,
      );
    out[key] = flag.kind === "list" ? (typeof v === "string" ? [v] : v) : flag.kind === "string" ? path(v) : v;
  }
  return out;
}

/** The flags given, by name, with defaults for the rest. Throws UsageError for a flag it does not know or a bad shape. */
function readArgs(args: readonly string[], base: Record<string, unknown> = {}): Record<string, unknown> | "help" | "version" {
  const out: Record<string, unknown> = {};
  const given = new Set<string>();
  const fromConfig = new Set(Object.keys(base));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--help" || a === "-h") return "help";
    if (a === "--version") return "version";
    if (!a.startsWith("-") || a === "-" || a === "--") {
      const stray = a === "--" ? (args[i + 1] ?? a) : a;
      throw new UsageError(`unexpected argument "${stray}": claude-dash takes only flags (see --help)`);
    }
    if (!a.startsWith("--")) throw new UsageError(`unknown flag ${a.split("=")[0]} (see --help)`);
    const eq = a.indexOf("=");
    let name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    let value: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    let flag = BY_NAME.get(name);
    let negated = false;
    if (!flag && name.startsWith("no-") && BY_NAME.get(name.slice(3))?.kind === "boolean") {
      name = name.slice(3);
      flag = BY_NAME.get(name)!;
      negated = true;
    }
    if (!flag) throw new UsageError(`unknown flag --${name} (see --help)`);
    if (flag.kind === "boolean") {
      if (value !== undefined && (negated || (value !== "true" && value !== "false")))
        throw new UsageError(`--${negated ? "no-" : ""}${name} takes no value (got "${value}")`);
      out[name] = negated ? false : value !== "false";
      continue;
    }
    if (value === undefined) {
      const next = args[i + 1];
      if (next !== undefined && (!next.startsWith("-") || (flag.kind === "number" && NEGATIVE.test(next)))) {
        value = next;
        i++;
      } else if (flag.bare) value = "";
      else throw new UsageError(`--${name} needs a value`);
    }
    if (flag.kind === "list") {
      // (a list on the command line replaces the config file's)
      out[name] = [...(fromConfig.has(name) ? [] : ((out[name] as string[] | undefined) ?? [])), value];
      fromConfig.delete(name);
      continue;
    }
    if (given.has(name)) throw new UsageError(`--${name} was given more than once`);
    given.add(name);
    if (flag.kind === "number") {
      const n = NUMBER.test(value.trim()) ? Number(value) : NaN;
      if (Number.isNaN(n)) throw new UsageError(`--${name} must be a number`);
      out[name] = n;
    } else out[name] = value;
  }
  for (const [k, v] of Object.entries(base)) if (!(k in out)) out[k] = v;
  for (const f of FLAGS) if (!(f.name in out) && f.default !== undefined) out[f.name] = Array.isArray(f.default) ? [...f.default] : f.default;
  return out;
}

/** Parses argv. Throws UsageError (one line, naming the flag) for anything invalid. Returns null after --help/--version. */
export function parseOptions(
  args: string[],
  version: string,
  print: (s: string) => void,
  config: { values: Readonly<Record<string, unknown>>; file: string; home?: string } | null = null,
): Options | null {
  const base = config ? readConfigValues(config.values, config.file, config.home ?? null) : {};
  const argvOut = readArgs(args, base);
  if (argvOut === "help") {
    print(helpText(Math.min(100, process.stdout.columns || 100)));
    return null;
  }
  if (argvOut === "version") {
    print(`${version}\n`);
    return null;
  }
  const r = Schema.safeParse(argvOut);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = issue.path.length > 0 ? String(issue.path[0]) : "";
    const flag = key ? `--${key}` : "";
    const msg = issue.message.startsWith("--") || !flag ? issue.message : `${flag}: ${issue.message}`;
    // (a value from the config file, not overridden by a flag, is named as the file's key)
    const fromFile = config !== null && key in base && !args.some((a) => a === flag || a.startsWith(`${flag}=`));
    throw new UsageError(fromFile ? `${config.file}: ${msg.replace(flag, key)}` : msg);
  }
  const o = r.data;
  if (o.source === "prometheus" && o.prometheus === null) throw new UsageError("--source prometheus needs --prometheus URL (the engine to read)");
  if (o.headless && !o.otlp) throw new UsageError("--headless needs --otlp (it runs the telemetry receiver without the UI)");
  if (o.otlp && (o.json || o.once || o.report !== null || o["store-info"])) {
    const what = o.json ? "--json" : o.once ? "--once" : o.report !== null ? "--report" : "--store-info";
    throw new UsageError(
      `--otlp runs a receiver for the live dashboard or --headless; ${what} prints once and exits (read stored team data with --source team)`,
    );
  }
  const bucket = o["bucket-minutes"];
  if (bucket !== undefined && (o["window-hours"] * 60) / bucket > MAX_BUCKETS)
    throw new UsageError(`--bucket-minutes ${bucket} would make more than ${MAX_BUCKETS} buckets over --window-hours ${o["window-hours"]}`);
  return {
    json: o.json,
    demo: o.demo,
    roots: o.root,
    now: o.now,
    windowHours: o["window-hours"],
    bucketMinutes: o["bucket-minutes"] ?? null,
    once: o.once,
    // (--color always|never said on purpose wins over --plain; --plain is --color never)
    plain: o.color === "never" || (o.color === "auto" && o.plain),
    color: o.color !== "auto" ? o.color : o.plain ? "never" : "auto",
    theme: o.theme,
    backend: o.backend,
    exportDir: o["export-dir"],
    prometheus: o.prometheus,
    prometheusHeaders: o["prometheus-header"],
    prometheusInterval: o["prometheus-interval"],
    width: o.width ?? null,
    height: o.height ?? null,
    fps: o.fps,
    interval: o.interval,
    activeWindowHours: o["active-window-hours"],
    view: o.view,
    insightsHours: o["insights-hours"],
    historyHours: o["history-hours"],
    historyBucketMinutes: o["history-bucket-minutes"] ?? null,
    tz: o.tz,
    pricePerMtok: o["price-per-mtok"],
    pricing: o.pricing,
    allowance: o.allowance,
    apiBase: o["api-base"].replace(/\/+$/, ""),
    allowanceInterval: o["allowance-interval"],
    otlp: o.otlp,
    otlpToken: o["otlp-token"] ?? null,
    otlpRetentionDays: o["otlp-retention-days"],
    headless: o.headless,
    source: o.source,
    store: o.store,
    since: o.since,
    report: o.report,
    storeInfo: o["store-info"],
    acknowledgeLoss: o["acknowledge-loss"],
  };
}
