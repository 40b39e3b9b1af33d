// Every command-line flag of the dashboard in one table: how each is given, its default and what the help says of
// it. options.ts reads flags with it (and checks their values with its schema); the in-app help lists it. Plain data,
// where every layer may read it.

type Kind = "boolean" | "string" | "number" | "list";

/** One flag: how it is given, its value when not given, and what --help says of it. */
interface Flag {
  name: string;
  kind: Kind;
  /** the value's placeholder in --help (not for switches). */
  value?: string;
  default?: boolean | string | number | string[] | null;
  /** a string flag that may also be given bare (its value is then ""). */
  bare?: boolean;
  describe: string;
  /** the in-app help's short line for it (flags without one are left out there). */
  brief?: string;
  /** how the in-app help writes it, when not `--name VALUE` (`--no-store`, `--width W --height H`). */
  helpAs?: string;
}

/** Every flag, in --help order. The schema above checks their values. */
export const FLAGS: readonly Flag[] = [
  { name: "json", kind: "boolean", default: false, describe: "print the numbers as JSON and exit", brief: "print the numbers as JSON" },
  { name: "demo", kind: "boolean", default: false, describe: "use the built-in demo data instead of transcripts", brief: "built-in demo data" },
  {
    name: "root",
    kind: "list",
    value: "DIR",
    default: [],
    describe: "a Claude config dir to read (repeatable); replaces the defaults",
    brief: "a Claude config dir to read (repeatable)",
  },
  { name: "now", kind: "string", value: "ISO", default: null, describe: "pin the clock to this ISO-8601 time", brief: "pin the clock" },
  { name: "window-hours", kind: "number", value: "H", default: 12, describe: "span of the charts and totals", brief: "chart span (12)" },
  {
    name: "bucket-minutes",
    kind: "number",
    value: "M",
    describe: "width of one chart bucket (default: --json 5; the dashboard fits the width)",
    brief: "bar width (fits the screen when not given)",
  },
  {
    name: "active-window-hours",
    kind: "number",
    value: "H",
    default: 1,
    describe: "a session is active when it did something this recently",
    brief: "what counts as an active session (1)",
  },
  {
    name: "once",
    kind: "boolean",
    default: false,
    describe: "print one frame of the dashboard and exit",
    brief: "print one frame (ANSI, or text) and exit",
    helpAs: "--once [--plain]",
  },
  { name: "plain", kind: "boolean", default: false, describe: "with --once: text only, no colour (the same as --color never)" },
  {
    name: "color",
    kind: "string",
    value: "auto|always|never",
    default: "auto",
    describe: "escape codes for colour in --once: auto (only when writing to a terminal), always, never (text only); NO_COLOR keeps bold and underline only",
    brief: "colour in --once (auto: on a terminal)",
  },
  {
    name: "prometheus",
    kind: "string",
    value: "URL",
    default: null,
    describe:
      "read the team's usage from a Prometheus-compatible engine (Prometheus, Mimir, Thanos, VictoriaMetrics): --json --view insights sums there; basic auth may be in the URL (shown masked), a bearer token in CLAUDE_DASH_PROMETHEUS_TOKEN",
    brief: "the team's usage from a Prometheus-compatible engine",
  },
  {
    name: "prometheus-interval",
    kind: "number",
    value: "S",
    default: 30,
    describe: "seconds between refreshes from --prometheus while INSIGHTS shows it (a failure backs off, doubling up to 5 minutes)",
    brief: "seconds between --prometheus refreshes (30)",
  },
  {
    name: "prometheus-header",
    kind: "list",
    value: "'NAME: VALUE'",
    default: [],
    describe: "a header sent with every query to --prometheus (repeatable), e.g. 'X-Scope-OrgID: team1'",
    brief: "a header for --prometheus (repeatable)",
  },
  {
    name: "export-dir",
    kind: "string",
    value: "DIR",
    default: ".",
    describe: "where e writes the view on screen as CSV and JSON",
    brief: "where e writes CSV and JSON (.)",
  },
  {
    name: "backend",
    kind: "string",
    value: "opentui|ansi",
    default: null,
    describe: "the live dashboard's terminal backend: opentui (Bun's default) or ansi (portable: Deno's, and the fallback when OpenTUI cannot load)",
    brief: "terminal backend: opentui (Bun) or ansi (portable)",
  },
  {
    name: "theme",
    kind: "string",
    value: "dark|light|cb",
    default: "dark",
    describe: "colours: dark, light (for a light terminal), or cb (a palette safe for colour-blind eyes)",
    brief: "colours: dark, light, cb (colour-blind safe)",
  },
  {
    name: "width",
    kind: "number",
    value: "W",
    describe: "with --once: columns (default: the terminal's, or 152)",
    brief: "frame size for --once",
    helpAs: "--width W --height H",
  },
  { name: "height", kind: "number", value: "H", describe: "with --once: rows (default: the terminal's, or 48)" },
  {
    name: "fps",
    kind: "number",
    value: "N",
    default: 30,
    describe: "frames per second of the live dashboard (0: no animation, redrawn twice a second)",
    brief: "frames per second (30; 0: no shimmer)",
  },
  {
    name: "view",
    kind: "string",
    value: "live|history|insights",
    default: "live",
    describe: "the view for --once and --json, and the first one shown",
    brief: "the view to start in (and for --once, --json)",
  },
  {
    name: "insights-hours",
    kind: "number",
    value: "H",
    default: 168,
    describe: "INSIGHTS' window; keys 1–5 in the view choose 1 h, 5 h, 24 h, 7 d, 30 d",
    brief: "INSIGHTS window (168); keys 1–5 in the view",
  },
  { name: "history-hours", kind: "number", value: "H", default: 168, describe: "span of HISTORY", brief: "HISTORY span (168)" },
  {
    name: "history-bucket-minutes",
    kind: "number",
    value: "M",
    describe: "HISTORY bar width (then the span is bar × columns)",
    brief: "HISTORY bar width (span = bar × columns)",
  },
  {
    name: "tz",
    kind: "string",
    value: "ZONE",
    describe: "time zone for HISTORY's activity map and day labels (default: the system's)",
    brief: "time zone of the activity map and day labels",
  },
  {
    name: "pricing",
    kind: "string",
    value: "FILE",
    default: null,
    describe: "prices from a LiteLLM-style model_prices_and_context_window.json: its Claude entries override or extend the built-in table",
    brief: "prices from a LiteLLM-style table (overrides the built-in one)",
  },
  {
    name: "price-per-mtok",
    kind: "number",
    value: "USD",
    describe: "USD per million input tokens for every model (other classes scale with it)",
    brief: "base input price for every model",
  },
  {
    name: "allowance",
    kind: "boolean",
    default: true,
    describe: "ask claude.ai for the subscription's limits (--no-allowance: never)",
    brief: "never ask claude.ai for the subscription's limits",
    helpAs: "--no-allowance",
  },
  {
    name: "api-base",
    kind: "string",
    value: "URL",
    default: "https://api.anthropic.com",
    describe: "server for the allowance requests, for tests and proxies",
  },
  { name: "allowance-interval", kind: "number", value: "S", default: 300, describe: "seconds between allowance requests, at least 60" },
  {
    name: "otlp",
    kind: "string",
    value: "[HOST:]PORT",
    bare: true,
    describe: "receive Claude Code's OpenTelemetry export (default 127.0.0.1:4318)",
    brief: "receive Claude Code's OpenTelemetry export (team telemetry)",
  },
  {
    name: "otlp-token",
    kind: "string",
    value: "T",
    describe: "a shared secret senders must give (Authorization: Bearer …)",
    brief: "a shared secret senders must give",
  },
  { name: "otlp-retention-days", kind: "number", value: "D", default: 30, describe: "days of received telemetry to keep" },
  {
    name: "headless",
    kind: "boolean",
    default: false,
    describe: "with --otlp: no UI, a log line a minute (for a server)",
    brief: "with --otlp: no UI, a log line a minute",
  },
  {
    name: "source",
    kind: "string",
    value: "local|team|both|prometheus",
    default: "both",
    describe: "INSIGHTS' data (prometheus: the engine --prometheus names)",
    brief: "INSIGHTS data (t in the view)",
  },
  {
    name: "interval",
    kind: "number",
    value: "S",
    default: 2,
    describe: "seconds between checks of the transcript files",
    brief: "seconds between file checks (2)",
  },
  {
    name: "since",
    kind: "string",
    value: "DATE",
    default: null,
    describe: "start the window at this date or time (ISO-8601); any span, all of history included",
    brief: "start every window here (all of history: --since 2000-01-01)",
  },
  {
    name: "report",
    kind: "string",
    value: "PERIOD",
    default: null,
    describe: "print a cost table of all history: daily, weekly, monthly or session; with --json, as JSON",
    brief: "daily, weekly, monthly or session: a cost table of all stored history",
  },
  {
    name: "store",
    kind: "boolean",
    default: true,
    describe: "keep usage history in the local store (--no-store: write nothing, read the transcripts only)",
    brief: "keep no history: read the transcripts only, write nothing",
    helpAs: "--no-store",
  },
  {
    name: "store-info",
    kind: "boolean",
    default: false,
    describe: "print where the usage store is and what it holds",
    brief: "where the usage store is and what it holds",
  },
  {
    name: "acknowledge-loss",
    kind: "boolean",
    default: false,
    describe: "say you have read that usage history was lost (a damaged or deleted store): no longer said on every run",
    brief: "stop the notice that usage history was lost",
  },
];

/** The in-app help's flag lines, from the table. */
export function helpFlags(): [string, string][] {
  return [
    ...FLAGS.filter((f) => f.brief !== undefined).map((f): [string, string] => [f.helpAs ?? `--${f.name}${f.value ? ` ${f.value}` : ""}`, f.brief!]),
    ["--help", "every flag, with its default"],
  ];
}
