// Command-line flags: yargs parses, zod validates. A bad flag is a one-line message naming it (exit 2).
import yargs from "yargs";
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
  source: "local" | "team" | "both";
  /** false with --no-store: keep no history, write nothing. */
  store: boolean;
  /** --since: the start of the window (epoch ms), or null. */
  since: number | null;
  /** --report: a cost table of all history. */
  report: "daily" | "weekly" | "monthly" | "session" | null;
  /** --store-info: where the store is and what it holds. */
  storeInfo: boolean;
}

export class UsageError extends Error {}

/** The longest window a flag may ask for, in hours (a century: "all of it" in practice). */
export const MAX_HOURS = 100 * 8766;
/** An explicit --bucket-minutes may make at most this many buckets (beyond, the output itself becomes the problem). */
export const MAX_BUCKETS = 1_000_000;
const hours = (flag: string) =>
  z.number({ message: `--${flag} must be a number` }).gt(0, `--${flag} must be more than 0`).max(MAX_HOURS, `--${flag} must be at most ${MAX_HOURS} (a century)`);

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

const Schema = z
  .object({
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
    width: z.number({ message: "--width must be a number" }).int("--width must be a whole number").min(1, "--width must be at least 1").max(1000, "--width must be at most 1000").optional(),
    height: z.number({ message: "--height must be a number" }).int("--height must be a whole number").min(1, "--height must be at least 1").max(500, "--height must be at most 500").optional(),
    fps: z.number({ message: "--fps must be a number" }).min(1, "--fps must be at least 1").max(120, "--fps must be at most 120"),
    view: z.enum(["live", "history", "insights"], { message: "--view must be live, history or insights" }),
    "insights-hours": hours("insights-hours"),
    "history-hours": hours("history-hours"),
    "history-bucket-minutes": z.number({ message: "--history-bucket-minutes must be a number" }).int("--history-bucket-minutes must be a whole number").min(1, "--history-bucket-minutes must be at least 1").max(10080, "--history-bucket-minutes must be at most 10080").optional(),
    tz: z
      .string()
      .optional()
      .refine((v) => v === undefined || validTimeZone(v), { message: "--tz must be a time zone such as Europe/Berlin or UTC" }),
    "price-per-mtok": z.number({ message: "--price-per-mtok must be a number" }).gt(0, "--price-per-mtok must be more than 0").max(10_000, "--price-per-mtok must be at most 10000").optional(),
    allowance: z.boolean(),
    "api-base": z.string().refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), { message: "--api-base must be an http(s) URL such as https://api.anthropic.com" }),
    "allowance-interval": z.number({ message: "--allowance-interval must be a number" }).min(60, "--allowance-interval must be at least 60 seconds").max(86_400, "--allowance-interval must be at most 86400 seconds"),
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
    "otlp-retention-days": z.number({ message: "--otlp-retention-days must be a number" }).gt(0, "--otlp-retention-days must be more than 0").max(3650, "--otlp-retention-days must be at most 3650"),
    headless: z.boolean(),
    source: z.enum(["local", "team", "both"], { message: "--source must be local, team or both" }),
    interval: z.number({ message: "--interval must be a number" }).min(0.2, "--interval must be at least 0.2 seconds").max(3600, "--interval must be at most 3600 seconds"),
    "active-window-hours": hours("active-window-hours"),
    store: z.boolean(),
    since: instant("since"),
    report: z.enum(["daily", "weekly", "monthly", "session"], { message: "--report must be daily, weekly, monthly or session" }).nullable(),
    "store-info": z.boolean(),
  });

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** An unambiguous ISO-8601 instant: a date (midnight UTC), or a date and time with Z or an offset. */
export function parseInstant(s: string): number | string {
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

const BOOLEAN_FLAGS = ["json", "demo", "once", "plain", "allowance", "headless", "store", "store-info"];

/** What yargs accepts but a user would not mean: a switch given a value, a stray word. */
function precheck(args: string[]): void {
  for (const a of args) {
    const m = /^--(?:no-)?([a-z-]+)=(.*)$/.exec(a);
    if (m && BOOLEAN_FLAGS.includes(m[1]!) && m[2] !== "true" && m[2] !== "false") throw new UsageError(`--${m[1]} takes no value (got "${m[2]}")`);
  }
}

export const HELP_EPILOG = "Reads ~/.claude/projects/**/*.jsonl (and ~/.config/claude, or $CLAUDE_CONFIG_DIR). Never writes to them.";

/** Parses argv. Throws UsageError (one line, naming the flag) for anything invalid. Returns null after --help/--version. */
export function parseOptions(args: string[], version: string, print: (s: string) => void): Options | null {
  precheck(args);
  let failure: string | null = null;
  let printed = false;
  const parser = yargs(args)
    .scriptName("claude-dash")
    .usage("claude-dash [options]\n\nWhat Claude Code is spending: tokens by cache disposition, cost, sessions, subagents.")
    .option("json", { type: "boolean", default: false, describe: "print the numbers as JSON and exit" })
    .option("demo", { type: "boolean", default: false, describe: "use the built-in demo data instead of transcripts" })
    .option("root", { requiresArg: true, type: "string", array: true, default: [] as string[], describe: "a Claude config dir to read (repeatable); replaces the defaults" })
    .option("now", { requiresArg: true, type: "string", default: null as string | null, describe: "pin the clock to this ISO-8601 time" })
    .option("window-hours", { requiresArg: true, type: "number", default: 12, describe: "span of the charts and totals" })
    .option("bucket-minutes", { requiresArg: true, type: "number", describe: "width of one chart bucket (default: --json 5; the dashboard fits the width)" })
    .option("active-window-hours", { requiresArg: true, type: "number", default: 1, describe: "a session is active when it did something this recently" })
    .option("once", { type: "boolean", default: false, describe: "print one frame of the dashboard and exit" })
    .option("plain", { type: "boolean", default: false, describe: "with --once: text only, no colour" })
    .option("width", { requiresArg: true, type: "number", describe: "with --once: columns (default: the terminal's, or 152)" })
    .option("height", { requiresArg: true, type: "number", describe: "with --once: rows (default: the terminal's, or 48)" })
    .option("fps", { requiresArg: true, type: "number", default: 30, describe: "frames per second of the live dashboard" })
    .option("view", { requiresArg: true, type: "string", default: "live", describe: "live, history or insights: the view for --once and --json (and the first one shown)" })
    .option("insights-hours", { requiresArg: true, type: "number", default: 168, describe: "INSIGHTS' window (1–5 in the view choose 1 h, 5 h, 24 h, 7 d, 30 d)" })
    .option("history-hours", { requiresArg: true, type: "number", default: 168, describe: "span of HISTORY" })
    .option("history-bucket-minutes", { requiresArg: true, type: "number", describe: "HISTORY bar width (then the span is bar × columns)" })
    .option("tz", { requiresArg: true, type: "string", describe: "time zone for HISTORY's activity map and day labels (default: the system's)" })
    .option("price-per-mtok", { requiresArg: true, type: "number", describe: "USD per million input tokens for every model (other classes scale with it)" })
    .option("allowance", { type: "boolean", default: true, describe: "ask claude.ai for the subscription's limits (--no-allowance: never)" })
    .option("api-base", { requiresArg: true, type: "string", default: "https://api.anthropic.com", describe: "server for the allowance requests (tests, proxies)" })
    .option("allowance-interval", { requiresArg: true, type: "number", default: 300, describe: "seconds between allowance requests (at least 60)" })
    .option("otlp", { type: "string", describe: "receive Claude Code's OpenTelemetry export: [HOST:]PORT (default 127.0.0.1:4318)" })
    .option("otlp-token", { requiresArg: true, type: "string", describe: "a shared secret senders must give (Authorization: Bearer …)" })
    .option("otlp-retention-days", { requiresArg: true, type: "number", default: 30, describe: "days of received telemetry to keep" })
    .option("headless", { type: "boolean", default: false, describe: "with --otlp: no UI, a log line a minute (for a server)" })
    .option("source", { requiresArg: true, type: "string", default: "both", describe: "INSIGHTS data: local, team or both" })
    .option("interval", { requiresArg: true, type: "number", default: 2, describe: "seconds between checks of the transcript files" })
    .option("since", { requiresArg: true, type: "string", default: null as string | null, describe: "start the window at this date or time (ISO-8601); any span, all of history included" })
    .option("report", { requiresArg: true, type: "string", default: null as string | null, describe: "print a cost table of all history: daily, weekly, monthly or session (with --json: as JSON)" })
    .option("store", { type: "boolean", default: true, describe: "keep usage history in the local store (--no-store: write nothing, read the transcripts only)" })
    .option("store-info", { type: "boolean", default: false, describe: "print where the usage store is and what it holds" })
    .epilog(HELP_EPILOG)
    .strict()
    .version(version)
    .help()
    .alias("h", "help")
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      failure = oneLine(msg ?? err?.message ?? "invalid arguments", args);
    });
  let argvOut: Record<string, unknown>;
  try {
    argvOut = parser.parseSync(args, {}, (err, _argv, output) => {
      if (err) failure ??= oneLine(err.message, args);
      else if (output) {
        printed = true;
        print(`${output}\n`);
      }
    }) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(failure ?? oneLine((e as Error).message, args));
  }
  if (failure) throw new UsageError(failure);
  if (printed) return null;
  for (const k of ["window-hours", "bucket-minutes", "active-window-hours", "width", "height", "fps", "interval", "history-hours", "history-bucket-minutes", "price-per-mtok", "allowance-interval", "insights-hours", "otlp-retention-days"]) {
    const v = argvOut[k];
    if (typeof v === "number" && Number.isNaN(v)) throw new UsageError(`--${k} must be a number`);
    if (Array.isArray(v)) throw new UsageError(`--${k} was given more than once`);
  }
  for (const k of ["now", "view", "tz", "api-base", "otlp", "otlp-token", "source", "since", "report"]) if (Array.isArray(argvOut[k])) throw new UsageError(`--${k} was given more than once`);
  const r = Schema.safeParse(argvOut);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const flag = issue.path.length > 0 ? `--${String(issue.path[0])}` : "";
    const msg = issue.message.startsWith("--") || !flag ? issue.message : `${flag}: ${issue.message}`;
    throw new UsageError(msg);
  }
  const o = r.data;
  if (o.headless && !o.otlp) throw new UsageError("--headless needs --otlp (it runs the telemetry receiver without the UI)");
  const bucket = o["bucket-minutes"];
  if (bucket !== undefined && (o["window-hours"] * 60) / bucket > MAX_BUCKETS) throw new UsageError(`--bucket-minutes ${bucket} would make more than ${MAX_BUCKETS} buckets over --window-hours ${o["window-hours"]}`);
  return {
    json: o.json,
    demo: o.demo,
    roots: o.root,
    now: o.now,
    windowHours: o["window-hours"],
    bucketMinutes: o["bucket-minutes"] ?? null,
    once: o.once,
    plain: o.plain,
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
  };
}

function oneLine(msg: string, args: readonly string[] = []): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg.trim());
  if (m) {
    const names = m[1]!.split(", ");
    const stray = names.find((n) => args.includes(n));
    if (stray !== undefined) return `unexpected argument "${stray}": claude-dash takes only flags (see --help)`;
    return `unknown flag ${names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(", ")} (see --help)`;
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(msg.trim());
  if (missing) return `--${missing[1]} needs a value`;
  return msg.split("\n")[0]!.trim();
}
