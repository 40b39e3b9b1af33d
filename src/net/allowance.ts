// The subscription allowance: `GET <apiBase>/api/oauth/usage` (and `/api/oauth/profile` once per start) with the
// Claude Code OAuth token, turned into model events. The UI never waits on it: `tick()` starts a request only when
// one is due, one request is in flight at most, and every outcome (including every failure) is an event.
//
// The token is read afresh at each request, sent only to `apiBase` (redirects are not followed), and never placed
// in an event, a message or a log line: messages are built from fixed text, status codes and error codes, and
// anything taken from an error is scrubbed of the token before use.
import { z } from "zod";
import type { AllowanceLimit, AllowanceProblem, ModelEvent } from "../model/events.ts";
import { cleanText, redactSecret } from "../shared/sanitize.ts";
import { type Clock, realClock } from "../shared/clock.ts";

const MINUTE_MS = 60_000;
/** The shortest refresh interval allowed (`--allowance-interval` minimum). */
const MIN_INTERVAL_MS = MINUTE_MS;
/** The default refresh interval: the endpoint is polled at most every 5 minutes. */
const DEFAULT_INTERVAL_MS = 5 * MINUTE_MS;
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Backoff after 429 / 5xx: Retry-After is clamped to [BACKOFF_MIN_MS, BACKOFF_MAX_MS]; without it, BACKOFF_MIN_MS doubling. */
export const BACKOFF_MIN_MS = 5 * MINUTE_MS;
export const BACKOFF_MAX_MS = 60 * MINUTE_MS;
const ANTHROPIC_BETA = "oauth-2025-04-20";

// ---------------------------------------------------------------------------------------------------------------
// Response shapes

/** `resets_at`: an ISO-8601 string (or, tolerated, epoch seconds / milliseconds). */
const ResetsAt = z.union([z.string(), z.number()]).nullish();
const Percent = z.number().nullish();

/** Shape (a): one window object, e.g. `five_hour: { utilization: 42, resets_at: "…" }`. */
const UsageWindow = z.object({ utilization: Percent, resets_at: ResetsAt });

/** Shape (b): one item of `limits: [{ kind, percent, resets_at }]`. */
const UsageLimitItem = z.object({
  kind: z.string().min(1),
  percent: Percent,
  utilization: Percent,
  resets_at: ResetsAt,
});

/** Shape (a) keys → our limit kinds, in display order. */
const WINDOW_KINDS: readonly (readonly [string, string])[] = [
  ["five_hour", "session"],
  ["seven_day", "weekly"],
  ["seven_day_opus", "weekly_opus"],
  ["seven_day_sonnet", "weekly_sonnet"],
];

/** Shape (b) kinds renamed to ours; other kinds are kept as given. */
const KIND_ALIASES: Record<string, string> = { weekly_all: "weekly" };

/** Reset times outside these years are not times anyone means: the field is dropped. */
const EARLIEST = Date.UTC(2020, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
/** A percentage above this is not a usage figure (a limit may be exceeded, not tenfold). */
const MAX_PERCENT = 1000;

function resetsAtMs(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  let ms: number;
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v <= 0) return null;
    ms = v < 1e12 ? Math.round(v * 1000) : Math.round(v);
  } else ms = Date.parse(v);
  return Number.isFinite(ms) && ms >= EARLIEST && ms <= LATEST ? ms : null;
}

function usablePercent(p: number | null | undefined): p is number {
  return typeof p === "number" && Number.isFinite(p) && p >= 0 && p <= MAX_PERCENT;
}

/**
 * The limits of a usage response in either shape, or a short reason when it has none. Unknown keys, null windows
 * and null fields are tolerated; a malformed window or item is skipped without sinking the others.
 */
export function parseUsage(json: unknown): AllowanceLimit[] | string {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return "the response is not a JSON object";
  const obj = json as Record<string, unknown>;

  // (b) the newer `limits` array
  if (Array.isArray(obj.limits)) {
    const out: AllowanceLimit[] = [];
    for (const raw of obj.limits) {
      const item = UsageLimitItem.safeParse(raw);
      if (!item.success) continue;
      const percent = item.data.percent ?? item.data.utilization;
      if (!usablePercent(percent)) continue;
      const kind = KIND_ALIASES[item.data.kind] ?? item.data.kind;
      out.push({ kind, percent, resetsAt: resetsAtMs(item.data.resets_at) });
    }
    if (out.length > 0) return out;
  }

  // (a) the window objects
  const out: AllowanceLimit[] = [];
  for (const [key, kind] of WINDOW_KINDS) {
    const w = UsageWindow.safeParse(obj[key]);
    if (!w.success || !usablePercent(w.data.utilization)) continue;
    out.push({ kind, percent: w.data.utilization, resetsAt: resetsAtMs(w.data.resets_at) });
  }
  if (out.length > 0) return out;

  return Array.isArray(obj.limits) ? "the response's `limits` has no usable limit" : "the response has no known usage limit";
}

/** `/api/oauth/profile`: only the fields used for the label; everything else is ignored. */
const Profile = z.object({
  account: z
    .object({
      email: z.string().nullish(),
      email_address: z.string().nullish(),
      display_name: z.string().nullish(),
      full_name: z.string().nullish(),
      has_claude_max: z.boolean().nullish(),
      has_claude_pro: z.boolean().nullish(),
    })
    .nullish(),
  organization: z
    .object({
      name: z.string().nullish(),
      organization_type: z.string().nullish(),
    })
    .nullish(),
});

const PLAN_BY_ORG_TYPE: Record<string, string> = {
  claude_max: "Max",
  claude_pro: "Pro",
  claude_team: "Team",
  claude_enterprise: "Enterprise",
};

/**
 * "ada@example.com · Max · Example Org" from a profile response, or null when it names nobody. Each part is cleaned
 * and rid of the token (`secret`) before anything is cut, so no piece of it survives a cut.
 */
export function profileLabel(json: unknown, secret: string | null = null): string | null {
  const p = Profile.safeParse(json);
  if (!p.success) return null;
  const acc = p.data.account ?? null;
  const org = p.data.organization ?? null;
  const firstText = (...vs: (string | null | undefined)[]): string | null => {
    for (const v of vs) {
      if (typeof v !== "string") continue;
      const c = clean(redactSecret(v, secret));
      if (c.length > 0) return c;
    }
    return null;
  };
  const who = firstText(acc?.email, acc?.email_address, acc?.display_name, acc?.full_name);
  const plan = acc?.has_claude_max ? "Max" : acc?.has_claude_pro ? "Pro" : (PLAN_BY_ORG_TYPE[clean(org?.organization_type ?? "")] ?? null);
  let orgName = firstText(org?.name);
  // Personal accounts get an organization called "<email>'s Organization": it says nothing new.
  if (orgName !== null && who !== null && orgName.toLowerCase().startsWith(who.toLowerCase())) orgName = null;
  if (who === null && orgName === null) return null;
  const label = [who, plan, orgName].filter((s): s is string => s !== null).join(" · ");
  return label.length > 100 ? `${label.slice(0, 99)}…` : label;
}

/** No terminal escapes, bidi controls or separators from the network; at most 100 characters of one field. */
function clean(s: string): string {
  return cleanText(s, 100);
}

// ---------------------------------------------------------------------------------------------------------------
// The client

/** The part of `fetch` the client uses (`globalThis.fetch` fits). */
type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface AllowanceClientOptions {
  /** e.g. "https://api.anthropic.com" (a trailing slash is ignored). */
  apiBase: string;
  fetch: FetchLike;
  /** the access token, read afresh at each call (see credentials.ts); null when signed out. */
  readToken: () => Promise<string | null>;
  /** the clock (epoch ms) for due times, event times and retryAt. */
  now: () => number;
  emit: (e: ModelEvent) => void;
  /** the refresh interval; values below 60 000 are raised to it. */
  minIntervalMs: number;
  /** the whole request (token read, response, body) must finish within this; default 10 000. */
  timeoutMs?: number;
  /** what that timeout is timed with (and the time read when `now` throws); default the real clock and timers. */
  clock?: Clock;
}

type Outcome =
  | { ok: true; limits: AllowanceLimit[] }
  | { ok: false; problem: AllowanceProblem; message: string; backoff: boolean; retryAfterMs: number | null };

type ProfileOutcome = { label: string | null };

export class AllowanceClient {
  private readonly apiBase: string;
  private readonly host: string;
  private readonly fetchFn: FetchLike;
  private readonly readToken: () => Promise<string | null>;
  private readonly now: () => number;
  private readonly clock: Clock;
  private readonly emitFn: (e: ModelEvent) => void;
  readonly minIntervalMs: number;
  readonly timeoutMs: number;

  private inFlight: Promise<void> | null = null;
  /** when the next request is due (epoch ms); null: at the first tick. */
  private dueAt: number | null = null;
  /** consecutive 429 / 5xx failures since the last success. */
  private failures = 0;
  private profileDone = false;
  private profileInFlight: Promise<void> | null = null;

  constructor(o: AllowanceClientOptions) {
    this.apiBase = o.apiBase.replace(/\/+$/, "");
    this.host = hostOf(this.apiBase);
    this.fetchFn = o.fetch;
    this.readToken = o.readToken;
    this.now = o.now;
    this.clock = o.clock ?? realClock;
    this.emitFn = o.emit;
    this.minIntervalMs = Number.isFinite(o.minIntervalMs) ? Math.max(MIN_INTERVAL_MS, o.minIntervalMs) : DEFAULT_INTERVAL_MS;
    const t = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.timeoutMs = Number.isFinite(t) && t > 0 ? t : DEFAULT_TIMEOUT_MS;
  }

  /** When the next request is due (epoch ms), or null before the first one. */
  get nextDueAt(): number | null {
    return this.dueAt;
  }

  /** Whether a usage request is in flight. */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Call often: starts a request when one is due and none is in flight; resolves when that request is done. */
  tick(): Promise<void> {
    if (this.inFlight !== null) return Promise.resolve();
    if (this.dueAt !== null && this.safeNow() < this.dueAt) return Promise.resolve();
    return this.start();
  }

  /** One request now (or the one in flight); settles within timeoutMs (plus the time to emit). */
  fetchNow(): Promise<void> {
    return this.inFlight ?? this.start();
  }

  /** The account label, once per start: emits AccountIdentified on success; failures are silent and may be retried. */
  fetchProfile(): Promise<void> {
    if (this.profileDone) return Promise.resolve();
    if (this.profileInFlight !== null) return this.profileInFlight;
    const p = this.withTimeout<ProfileOutcome>((signal) => this.requestProfile(signal), { label: null })
      .then((o) => {
        if (o.label === null) return;
        this.profileDone = true;
        this.emit({ type: "AccountIdentified", label: o.label });
      })
      .catch(() => undefined)
      .finally(() => {
        this.profileInFlight = null;
      });
    this.profileInFlight = p;
    return p;
  }

  private start(): Promise<void> {
    const timeoutOutcome: Outcome = {
      ok: false,
      problem: "timeout",
      message: `no answer from ${this.host} within ${formatSeconds(this.timeoutMs)}`,
      backoff: false,
      retryAfterMs: null,
    };
    const p = this.withTimeout<Outcome>((signal) => this.requestUsage(signal), timeoutOutcome)
      .catch((): Outcome => ({ ok: false, problem: "network", message: `cannot reach ${this.host}`, backoff: false, retryAfterMs: null }))
      .then((o) => this.settle(o))
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = null;
      });
    this.inFlight = p;
    return p;
  }

  private settle(o: Outcome): void {
    const now = this.safeNow();
    if (o.ok) {
      this.failures = 0;
      this.dueAt = now + this.minIntervalMs;
      this.emit({ type: "AllowanceFetched", time: now, limits: o.limits });
      return;
    }
    let delay = this.minIntervalMs;
    if (o.backoff) {
      this.failures += 1;
      delay =
        o.retryAfterMs !== null
          ? clamp(o.retryAfterMs, BACKOFF_MIN_MS, BACKOFF_MAX_MS)
          : Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(this.failures - 1, 20));
    }
    this.dueAt = now + delay;
    this.emit({ type: "AllowanceFailed", time: now, problem: o.problem, message: o.message, retryAt: this.dueAt });
  }

  /** Requests in flight, each with the way to end it at once (see cancel). */
  private readonly pending = new Set<() => void>();

  /** Gives up every request in flight now (a one-shot run that has printed what it had): no socket or timer is left. */
  cancel(): void {
    for (const end of [...this.pending]) end();
  }

  /** Runs `work` with an abort signal that fires after timeoutMs; resolves with `onTimeout` then at the latest. */
  private withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, onTimeout: T): Promise<T> {
    const ctl = new AbortController();
    let timer: unknown;
    let end = () => {};
    const timedOut = new Promise<T>((resolve) => {
      end = () => {
        this.clock.clearTimeout(timer);
        ctl.abort();
        resolve(onTimeout);
      };
      timer = this.clock.setTimeout(end, this.timeoutMs);
    });
    this.pending.add(end);
    return Promise.race([work(ctl.signal), timedOut]).finally(() => {
      this.clock.clearTimeout(timer);
      this.pending.delete(end);
    });
  }

  /** `now`, or the clock's time when `now` throws or is not a number. */
  private safeNow(): number {
    try {
      const t = this.now();
      return Number.isFinite(t) ? t : this.clock.now();
    } catch {
      return this.clock.now();
    }
  }

  private async readTokenSafely(): Promise<string | null> {
    try {
      const t = await this.readToken();
      return typeof t === "string" && t.length > 0 ? t : null;
    } catch {
      return null;
    }
  }

  private headers(token: string): Record<string, string> {
    return {
      Authorization: `Bearer ${token}`,
      "anthropic-beta": ANTHROPIC_BETA,
      Accept: "application/json",
    };
  }

  private async requestUsage(signal: AbortSignal): Promise<Outcome> {
    const token = await this.readTokenSafely();
    if (token === null) {
      return {
        ok: false,
        problem: "no-credentials",
        message: "sign in with `claude` to see your allowance",
        backoff: false,
        retryAfterMs: null,
      };
    }
    const fail = (problem: AllowanceProblem, message: string, backoff = false, retryAfterMs: number | null = null): Outcome => ({
      ok: false,
      problem,
      message: scrub(message, token),
      backoff,
      retryAfterMs,
    });

    let res: Response;
    try {
      res = await this.fetchFn(`${this.apiBase}/api/oauth/usage`, {
        method: "GET",
        headers: this.headers(token),
        signal,
        redirect: "manual",
      });
    } catch (err) {
      if (signal.aborted) return fail("timeout", `no answer from ${this.host} within ${formatSeconds(this.timeoutMs)}`);
      return fail("network", `cannot reach ${this.host}: ${errorCause(err, token)}`);
    }

    const status = res.status;
    if (status === 401 || status === 403) {
      discard(res);
      return fail("unauthorized", `the sign-in token is stale: run \`claude\` to sign in again (HTTP ${status})`);
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.safeNow());
      discard(res);
      return fail("rate-limited", `${this.host} is rate-limiting usage requests (HTTP 429)`, true, retryAfterMs);
    }
    if (status < 200 || status > 299) {
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.safeNow());
      discard(res);
      const what = status >= 300 && status < 400 ? "redirected the usage request (not followed)" : "failed to report usage";
      return fail("server", `${this.host} ${what} (HTTP ${status})`, true, retryAfterMs);
    }

    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (signal.aborted) return fail("timeout", `no answer from ${this.host} within ${formatSeconds(this.timeoutMs)}`);
      return fail("network", `lost the connection to ${this.host}: ${errorCause(err, token)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail("malformed", `${this.host} sent a usage response that is not JSON (HTTP ${status})`);
    }
    const limits = parseUsage(json);
    if (typeof limits === "string") return fail("malformed", `${this.host} sent an unexpected usage response: ${limits}`);
    // (a limit's name is the server's text: it may hold anything, the token included)
    return { ok: true, limits: limits.map((l) => ({ ...l, kind: cleanText(redactSecret(l.kind, token), 60) || "limit" })) };
  }

  private async requestProfile(signal: AbortSignal): Promise<ProfileOutcome> {
    const token = await this.readTokenSafely();
    if (token === null) return { label: null };
    try {
      const res = await this.fetchFn(`${this.apiBase}/api/oauth/profile`, {
        method: "GET",
        headers: this.headers(token),
        signal,
        redirect: "manual",
      });
      if (res.status < 200 || res.status > 299) {
        discard(res);
        return { label: null };
      }
      return { label: profileLabel(JSON.parse(await res.text()), token) };
    } catch {
      return { label: null };
    }
  }

  private emit(e: ModelEvent): void {
    try {
      this.emitFn(e);
    } catch {
      // a consumer's failure is not ours to report, and must not escape tick()
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Za-z0-9 ,:+-]+$/.test(v) || !/[A-Za-z]/.test(v)) return null;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function hostOf(base: string): string {
  try {
    return new URL(base).host || base;
  } catch {
    return base;
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Releases a response body we do not read. */
function discard(res: Response): void {
  try {
    void res.body?.cancel().catch(() => undefined);
  } catch {
    // nothing to release
  }
}

/** A short cause of a fetch failure: its code (ECONNREFUSED, ConnectionRefused, …) or first line of text, scrubbed. */
function errorCause(err: unknown, token: string): string {
  const codeOf = (e: unknown): string | null => {
    if (typeof e !== "object" || e === null) return null;
    const c = (e as { code?: unknown }).code;
    return typeof c === "string" && /^[A-Za-z0-9_]{2,40}$/.test(c) ? c : null;
  };
  const cause = typeof err === "object" && err !== null ? (err as { cause?: unknown }).cause : undefined;
  const code = codeOf(cause) ?? codeOf(err);
  if (code !== null) return scrub(code, token);
  const msg = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  const line = scrub(msg.split("\n")[0] ?? "", token)
    .slice(0, 160)
    .trim();
  return line.length > 0 ? line : "unknown error";
}

/** Removes the token (any long run of it, and anything shaped like an Anthropic key or bearer credential) and
 *  control characters. */
function scrub(text: string, token: string): string {
  return cleanText(redactSecret(text, token), 400);
}
