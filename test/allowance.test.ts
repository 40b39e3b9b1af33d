// The subscription-allowance client (src/net/allowance.ts) and the token reader (src/net/credentials.ts), against
// msw 2.x under bun test. The clock is injected (`t`), and so are the timers the request timeout runs on: a fake
// (test/fake-clock.ts) that a test moves past the timeout by hand, so no test waits for one in real time.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, spyOn, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import {
  AllowanceClient,
  BACKOFF_MAX_MS,
  BACKOFF_MIN_MS,
  type AllowanceClientOptions,
  parseRetryAfter,
  parseUsage,
  profileLabel,
} from "../src/net/allowance.ts";
import { readAccessToken } from "../src/net/credentials.ts";
import type { AllowanceFailed, ModelEvent } from "../src/model/events.ts";
import { type FakeClock, fakeClock } from "./fake-clock.ts";
import { until } from "./until.ts";

const BASE = "https://api.test";
const USAGE = `${BASE}/api/oauth/usage`;
const PROFILE = `${BASE}/api/oauth/profile`;
const TOKEN = "sk-ant-oat01-SECRET-TOKEN-123";
const MIN = 60_000;
const INTERVAL = 5 * MIN;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

const server = setupServer();

// Every event emitted and every console line written during any test, checked for the token after each test.
const allEvents: ModelEvent[] = [];
let logged: string[] = [];
let spies: { mockRestore: () => void }[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

beforeEach(() => {
  logged = [];
  spies = (["log", "error", "warn", "info", "debug"] as const).map((m) =>
    spyOn(console, m).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.name}: ${a.message}` : safeJson(a))).join(" "));
    }),
  );
});

afterEach(() => {
  server.resetHandlers();
  for (const s of spies) s.mockRestore();
  expect(logged.join("\n")).not.toContain(TOKEN);
  expect(JSON.stringify(allEvents)).not.toContain(TOKEN);
});

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

interface Harness {
  client: AllowanceClient;
  events: ModelEvent[];
  clock: { t: number };
  /** the timers the client's timeout runs on: nothing times out until the test moves them on */
  timers: FakeClock;
}

/** A client on the msw server, built after server.listen so msw intercepts globalThis.fetch. */
function harness(over: Partial<AllowanceClientOptions> = {}): Harness {
  const events: ModelEvent[] = [];
  const clock = { t: T0 };
  const timers = fakeClock(T0);
  const client = new AllowanceClient({
    apiBase: BASE,
    fetch: globalThis.fetch,
    readToken: async () => TOKEN,
    now: () => clock.t,
    emit: (e) => {
      events.push(e);
      allEvents.push(e);
    },
    minIntervalMs: INTERVAL,
    timeoutMs: 2_000,
    clock: timers,
    ...over,
  });
  return { client, events, clock, timers };
}

/** A usage handler that counts its calls. */
function usage(respond: (request: Request) => Response | Promise<Response>) {
  const calls = { n: 0, requests: [] as Request[] };
  server.use(
    http.get(USAGE, async ({ request }) => {
      calls.n += 1;
      calls.requests.push(request.clone());
      return respond(request);
    }),
  );
  return calls;
}

function lastFailure(events: ModelEvent[]): AllowanceFailed {
  const e = events.at(-1);
  if (!e || e.type !== "AllowanceFailed") throw new Error(`expected AllowanceFailed, got ${e?.type}`);
  return e;
}

const SHAPE_A = {
  five_hour: { utilization: 42.5, resets_at: "2026-01-15T14:00:00.000Z", window_id: "w1" },
  seven_day: { utilization: 12, resets_at: null },
  seven_day_oauth_apps: null,
  seven_day_opus: null,
  seven_day_sonnet: { utilization: 3, resets_at: "2026-01-20T09:00:00+00:00" },
  extra_usage: { is_enabled: false, monthly_limit: null },
  unknown_top_level: [1, 2, 3],
};

const SHAPE_B = {
  limits: [
    { kind: "session", percent: 30, resets_at: "2026-01-15T15:00:00Z", extra: true },
    { kind: "weekly_all", percent: 55.5, resets_at: null },
    { kind: "weekly_opus", percent: 101, resets_at: "2026-01-19T00:00:00Z" },
    { kind: "weekly_sonnet", percent: null, resets_at: null },
    null,
    { percent: 5 },
  ],
  plan: "max",
};

// ---------------------------------------------------------------------------------------------------------------

describe("parseUsage", () => {
  test("shape (a): window objects, with null windows, null fields and unknown keys", () => {
    expect(parseUsage(SHAPE_A)).toEqual([
      { kind: "session", percent: 42.5, resetsAt: Date.UTC(2026, 0, 15, 14, 0, 0) },
      { kind: "weekly", percent: 12, resetsAt: null },
      { kind: "weekly_sonnet", percent: 3, resetsAt: Date.UTC(2026, 0, 20, 9, 0, 0) },
    ]);
  });

  test("shape (a): a null utilization or a malformed window is skipped, the others kept", () => {
    expect(
      parseUsage({
        five_hour: { utilization: "42", resets_at: "2026-01-15T14:00:00Z" },
        seven_day: { utilization: 7, resets_at: "not a date" },
        seven_day_opus: { utilization: null, resets_at: "2026-01-15T14:00:00Z" },
        seven_day_sonnet: "weird",
      }),
    ).toEqual([{ kind: "weekly", percent: 7, resetsAt: null }]);
  });

  test("shape (b): a limits array; weekly_all becomes weekly, other kinds kept, unusable items skipped", () => {
    expect(parseUsage(SHAPE_B)).toEqual([
      { kind: "session", percent: 30, resetsAt: Date.UTC(2026, 0, 15, 15, 0, 0) },
      { kind: "weekly", percent: 55.5, resetsAt: null },
      { kind: "weekly_opus", percent: 101, resetsAt: Date.UTC(2026, 0, 19) },
    ]);
  });

  test("shape (b) wins when both are present; an empty limits array falls back to shape (a)", () => {
    expect(parseUsage({ ...SHAPE_A, ...SHAPE_B })).toHaveLength(3);
    expect((parseUsage({ ...SHAPE_A, ...SHAPE_B }) as { kind: string }[])[1]!.kind).toBe("weekly");
    expect(parseUsage({ ...SHAPE_A, limits: [] })).toEqual(parseUsage(SHAPE_A));
  });

  test("no usable limit gives a short reason", () => {
    for (const bad of [null, 42, "x", [], {}, { five_hour: null, seven_day: null }, { limits: [] }, { limits: [{ kind: "session" }] }]) {
      const r = parseUsage(bad);
      expect(typeof r).toBe("string");
      expect((r as string).length).toBeLessThan(80);
    }
  });
});

describe("parseRetryAfter", () => {
  test("seconds, HTTP dates, and junk", () => {
    expect(parseRetryAfter("120", T0)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", T0)).toBe(0);
    expect(parseRetryAfter(new Date(T0 + 20 * MIN).toUTCString(), T0)).toBe(20 * MIN);
    expect(parseRetryAfter(new Date(T0 - MIN).toUTCString(), T0)).toBe(0);
    expect(parseRetryAfter(null, T0)).toBeNull();
    expect(parseRetryAfter("soon", T0)).toBeNull();
    expect(parseRetryAfter("-5", T0)).toBeNull();
    expect(parseRetryAfter("1.5", T0)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("AllowanceClient: success", () => {
  test("shape (a) → AllowanceFetched with the clock's time", async () => {
    usage(() => HttpResponse.json(SHAPE_A));
    const h = harness();
    await h.client.tick();
    expect(h.events).toEqual([{ type: "AllowanceFetched", time: T0, limits: parseUsage(SHAPE_A) as never }]);
    expect(h.client.nextDueAt).toBe(T0 + INTERVAL);
  });

  test("shape (b) → AllowanceFetched", async () => {
    usage(() => HttpResponse.json(SHAPE_B));
    const h = harness();
    await h.client.fetchNow();
    expect(h.events).toHaveLength(1);
    const e = h.events[0]!;
    expect(e.type).toBe("AllowanceFetched");
    if (e.type === "AllowanceFetched")
      expect(e.limits.map((l) => [l.kind, l.percent])).toEqual([
        ["session", 30],
        ["weekly", 55.5],
        ["weekly_opus", 101],
      ]);
  });

  test("sends exactly GET /api/oauth/usage with Authorization, anthropic-beta and Accept", async () => {
    const calls = usage(() => HttpResponse.json(SHAPE_A));
    const h = harness({ apiBase: `${BASE}/` });
    await h.client.fetchNow();
    expect(calls.n).toBe(1);
    const req = calls.requests[0]!;
    expect(req.method).toBe("GET");
    expect(req.url).toBe(USAGE);
    expect(req.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(req.headers.get("anthropic-beta")).toBe("oauth-2025-04-20");
    expect(req.headers.get("accept")).toBe("application/json");
  });

  test("the token is read afresh at each request", async () => {
    const calls = usage(() => HttpResponse.json(SHAPE_A));
    let n = 0;
    const h = harness({ readToken: async () => `tok-${++n}` });
    await h.client.fetchNow();
    await h.client.fetchNow();
    expect(calls.requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer tok-1", "Bearer tok-2"]);
  });
});

describe("AllowanceClient: every error path is an event", () => {
  test("no credentials: no request, the sign-in message, retry after the interval", async () => {
    const calls = usage(() => HttpResponse.json(SHAPE_A));
    for (const readToken of [
      async () => null,
      async () => "",
      async (): Promise<string | null> => {
        throw new Error("boom");
      },
    ]) {
      const h = harness({ readToken });
      await h.client.tick();
      expect(h.events).toEqual([
        { type: "AllowanceFailed", time: T0, problem: "no-credentials", message: "sign in with `claude` to see your allowance", retryAt: T0 + INTERVAL },
      ]);
    }
    expect(calls.n).toBe(0);
  });

  for (const status of [401, 403]) {
    test(`${status}: unauthorized, run claude again, retry after the interval`, async () => {
      usage(() => HttpResponse.json({ error: { type: "authentication_error" } }, { status }));
      const h = harness();
      await h.client.tick();
      const f = lastFailure(h.events);
      expect(f.problem).toBe("unauthorized");
      expect(f.message).toContain("the sign-in token is stale: run `claude` to sign in again");
      expect(f.message).toContain(String(status));
      expect(f.retryAt).toBe(T0 + INTERVAL);
    });
  }

  test("429 with Retry-After seconds: honoured", async () => {
    usage(() => new HttpResponse(null, { status: 429, headers: { "Retry-After": "900" } }));
    const h = harness();
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.problem).toBe("rate-limited");
    expect(f.message).toContain("429");
    expect(f.retryAt).toBe(T0 + 15 * MIN);
  });

  test("429 with an HTTP-date Retry-After: honoured against the injected clock", async () => {
    usage(() => new HttpResponse(null, { status: 429, headers: { "Retry-After": new Date(T0 + 20 * MIN).toUTCString() } }));
    const h = harness();
    await h.client.tick();
    expect(lastFailure(h.events).retryAt).toBe(T0 + 20 * MIN);
  });

  test("Retry-After is clamped to 5–60 minutes", async () => {
    for (const [ra, want] of [
      ["30", BACKOFF_MIN_MS],
      ["0", BACKOFF_MIN_MS],
      ["7200", BACKOFF_MAX_MS],
      [new Date(T0 + 3 * 3600_000).toUTCString(), BACKOFF_MAX_MS],
      [new Date(T0 - MIN).toUTCString(), BACKOFF_MIN_MS],
    ] as const) {
      server.resetHandlers();
      usage(() => new HttpResponse(null, { status: 429, headers: { "Retry-After": ra } }));
      const h = harness();
      await h.client.tick();
      expect(lastFailure(h.events).retryAt).toBe(T0 + want);
    }
  });

  test("429 without Retry-After: 5 minutes", async () => {
    usage(() => new HttpResponse("slow down", { status: 429 }));
    const h = harness();
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.problem).toBe("rate-limited");
    expect(f.retryAt).toBe(T0 + 5 * MIN);
  });

  test("500: server problem, 5 minutes", async () => {
    usage(() => new HttpResponse("oops", { status: 500 }));
    const h = harness();
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.problem).toBe("server");
    expect(f.message).toContain("500");
    expect(f.retryAt).toBe(T0 + 5 * MIN);
  });

  test("503 with Retry-After: server problem, honoured", async () => {
    usage(() => new HttpResponse(null, { status: 503, headers: { "Retry-After": "1200" } }));
    const h = harness();
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.problem).toBe("server");
    expect(f.message).toContain("503");
    expect(f.retryAt).toBe(T0 + 20 * MIN);
  });

  test("network error (HttpResponse.error()): network problem naming the host", async () => {
    usage(() => HttpResponse.error());
    const h = harness();
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.problem).toBe("network");
    expect(f.message).toStartWith("cannot reach api.test: ");
    expect(f.retryAt).toBe(T0 + INTERVAL);
  });

  test("network error with an error code: the message names the code", async () => {
    const err = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }) });
    const h = harness({
      apiBase: "https://api.anthropic.com",
      fetch: async () => {
        throw err;
      },
    });
    await h.client.tick();
    expect(lastFailure(h.events)).toMatchObject({ problem: "network", message: "cannot reach api.anthropic.com: ECONNREFUSED" });
  });

  test("timeout: a slower answer than timeoutMs is a timeout, and fetchNow settles by then", async () => {
    // The answer is held until fetchNow has settled: had fetchNow waited for it, the test would never get past it.
    let answer = () => {};
    const held = new Promise<void>((r) => (answer = r));
    const calls = usage(async () => {
      await held;
      return HttpResponse.json(SHAPE_A);
    });
    const h = harness({ timeoutMs: 200 });
    try {
      const settled = h.client.fetchNow();
      await until(() => calls.n === 1, "the usage request to reach the server");
      h.timers.advance(199);
      // (not before the timeout: its timer is still set, the request still in flight)
      expect(h.timers.pending()).toBe(1);
      expect(h.client.busy).toBe(true);
      h.timers.advance(1);
      await settled;
      expect(calls.n).toBe(1);
      const f = lastFailure(h.events);
      expect(f.problem).toBe("timeout");
      expect(f.message).toContain("0.2 s");
      expect(f.retryAt).toBe(T0 + INTERVAL);
      expect(h.client.busy).toBe(false);
    } finally {
      answer();
    }
  });

  test("timeout also covers a token read that hangs", async () => {
    const h = harness({ timeoutMs: 100, readToken: () => new Promise(() => {}) });
    const settled = h.client.fetchNow();
    h.timers.advance(100);
    await settled;
    expect(lastFailure(h.events)).toMatchObject({ problem: "timeout", message: "no answer from api.test within 0.1 s" });
  });

  test("malformed JSON: malformed", async () => {
    usage(() => new HttpResponse("{not json", { status: 200, headers: { "Content-Type": "application/json" } }));
    const h = harness();
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.problem).toBe("malformed");
    expect(f.message).toContain("not JSON");
    expect(f.retryAt).toBe(T0 + INTERVAL);
  });

  test("valid JSON of the wrong shape: malformed with a reason", async () => {
    usage(() => HttpResponse.json({ hello: "world", five_hour: { utilization: "lots" } }));
    const h = harness();
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.problem).toBe("malformed");
    expect(f.message).toContain("no known usage limit");
  });

  test("a redirect is not followed (the token goes nowhere but apiBase)", async () => {
    let evil = 0;
    server.use(
      http.get("https://evil.test/*", () => {
        evil += 1;
        return HttpResponse.json(SHAPE_A);
      }),
    );
    usage(() => new HttpResponse(null, { status: 302, headers: { Location: "https://evil.test/steal" } }));
    const h = harness();
    await h.client.tick();
    expect(evil).toBe(0);
    expect(lastFailure(h.events).problem).toBe("server");
  });

  test("a throwing emit or clock never escapes", async () => {
    usage(() => HttpResponse.json(SHAPE_A));
    const h = harness({
      emit: () => {
        throw new Error("ui bug");
      },
      now: () => {
        throw new Error("clock bug");
      },
    });
    await h.client.tick();
    await h.client.fetchNow();
    await h.client.fetchProfile();
  });
});

describe("AllowanceClient: schedule", () => {
  test("due at the first tick, then the interval after a success; nothing before", async () => {
    const calls = usage(() => HttpResponse.json(SHAPE_A));
    const h = harness();
    await h.client.tick();
    expect(calls.n).toBe(1);
    await h.client.tick();
    h.clock.t = T0 + INTERVAL - 1;
    await h.client.tick();
    expect(calls.n).toBe(1);
    h.clock.t = T0 + INTERVAL;
    await h.client.tick();
    expect(calls.n).toBe(2);
    expect(h.events.map((e) => e.type)).toEqual(["AllowanceFetched", "AllowanceFetched"]);
  });

  test("an interval below 60 s is raised to 60 s", async () => {
    const calls = usage(() => HttpResponse.json(SHAPE_A));
    const h = harness({ minIntervalMs: 1_000 });
    expect(h.client.minIntervalMs).toBe(MIN);
    await h.client.tick();
    h.clock.t = T0 + 59_999;
    await h.client.tick();
    expect(calls.n).toBe(1);
    h.clock.t = T0 + MIN;
    await h.client.tick();
    expect(calls.n).toBe(2);
  });

  test("backoff: nothing before retryAt, a retry at it; 5, 10, 20, 40, 60, 60 minutes; reset after a success", async () => {
    let mode: "fail" | "ok" = "fail";
    const calls = usage(() => (mode === "fail" ? new HttpResponse(null, { status: 500 }) : HttpResponse.json(SHAPE_A)));
    const h = harness();
    await h.client.tick();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const f = lastFailure(h.events);
      delays.push((f.retryAt! - f.time) / MIN);
      const before = calls.n;
      h.clock.t = f.retryAt! - 1;
      await h.client.tick();
      expect(calls.n).toBe(before);
      h.clock.t = f.retryAt!;
      await h.client.tick();
      expect(calls.n).toBe(before + 1);
    }
    expect(delays).toEqual([5, 10, 20, 40, 60, 60]);

    mode = "ok";
    h.clock.t = lastFailure(h.events).retryAt!;
    await h.client.tick();
    expect(h.events.at(-1)!.type).toBe("AllowanceFetched");
    expect(h.client.nextDueAt).toBe(h.clock.t + INTERVAL);

    mode = "fail";
    h.clock.t += INTERVAL;
    await h.client.tick();
    const f = lastFailure(h.events);
    expect(f.retryAt! - f.time).toBe(5 * MIN);
  });

  test("Retry-After overrides the doubling but still counts as a failure", async () => {
    let ra: string | null = "600";
    usage(() => new HttpResponse(null, { status: 429, headers: ra === null ? {} : { "Retry-After": ra } }));
    const h = harness();
    await h.client.tick();
    expect(lastFailure(h.events).retryAt).toBe(T0 + 10 * MIN);
    ra = null;
    h.clock.t = T0 + 10 * MIN;
    await h.client.tick();
    expect(lastFailure(h.events).retryAt).toBe(h.clock.t + 10 * MIN);
  });

  test("non-backoff failures retry after the interval", async () => {
    usage(() => new HttpResponse(null, { status: 401 }));
    const h = harness({ minIntervalMs: 2 * MIN });
    await h.client.tick();
    expect(lastFailure(h.events).retryAt).toBe(T0 + 2 * MIN);
  });

  test("one request in flight: concurrent ticks and fetchNow share it", async () => {
    const calls = usage(async () => {
      await delay(50);
      return HttpResponse.json(SHAPE_A);
    });
    const h = harness();
    const a = h.client.tick();
    const b = h.client.tick();
    const c = h.client.fetchNow();
    expect(h.client.busy).toBe(true);
    await Promise.all([a, b, c]);
    expect(calls.n).toBe(1);
    expect(h.events).toHaveLength(1);
    expect(h.client.busy).toBe(false);
  });

  test("fetchNow ignores the schedule (but not the in-flight rule)", async () => {
    const calls = usage(() => HttpResponse.json(SHAPE_A));
    const h = harness();
    await h.client.tick();
    await h.client.fetchNow();
    expect(calls.n).toBe(2);
  });
});

describe("AllowanceClient: profile", () => {
  const profile = (body: unknown, status = 200) => {
    const calls = { n: 0, auth: [] as (string | null)[] };
    server.use(
      http.get(PROFILE, ({ request }) => {
        calls.n += 1;
        calls.auth.push(request.headers.get("authorization"));
        return HttpResponse.json(body as never, { status });
      }),
    );
    return calls;
  };

  test("AccountIdentified with email, plan and organization; only once per start", async () => {
    const calls = profile({
      account: { uuid: "u1", email: "ada@example.com", display_name: "Ada", has_claude_max: true, has_claude_pro: false, extra: 1 },
      organization: { uuid: "o1", name: "Acme Labs", organization_type: "claude_max", rate_limit_tier: "x" },
    });
    const h = harness();
    await Promise.all([h.client.fetchProfile(), h.client.fetchProfile()]);
    await h.client.fetchProfile();
    expect(calls.n).toBe(1);
    expect(calls.auth).toEqual([`Bearer ${TOKEN}`]);
    expect(h.events).toEqual([{ type: "AccountIdentified", label: "ada@example.com · Max · Acme Labs" }]);
  });

  test("labels: display name fallback, personal organization omitted, control characters stripped", () => {
    expect(profileLabel({ account: { display_name: "Ada\u001b[31m" }, organization: null })).toBe("Ada [31m");
    expect(
      profileLabel({ account: { email: "ada@example.com" }, organization: { name: "ada@example.com's Organization", organization_type: "claude_pro" } }),
    ).toBe("ada@example.com · Pro");
    expect(profileLabel({ organization: { name: "Acme" } })).toBe("Acme");
    expect(profileLabel({ account: {}, organization: {} })).toBeNull();
    expect(profileLabel("nope")).toBeNull();
  });

  test("failures are silent: HTTP error, malformed, nobody named, no token, network error", async () => {
    for (const setup of [
      () => profile({ error: "x" }, 500),
      () => profile({ account: null }),
      () => server.use(http.get(PROFILE, () => new HttpResponse("{nope", { status: 200 }))),
      () => server.use(http.get(PROFILE, () => HttpResponse.error())),
    ]) {
      server.resetHandlers();
      setup();
      const h = harness();
      await h.client.fetchProfile();
      expect(h.events).toEqual([]);
    }
    const h = harness({ readToken: async () => null });
    await h.client.fetchProfile();
    expect(h.events).toEqual([]);
  });

  test("a failed profile may be tried again", async () => {
    profile({ account: { email: "ada@example.com" } });
    server.use(http.get(PROFILE, () => HttpResponse.error(), { once: true })); // the newest handler goes first
    const h = harness();
    await h.client.fetchProfile();
    expect(h.events).toEqual([]);
    await h.client.fetchProfile();
    expect(h.events).toEqual([{ type: "AccountIdentified", label: "ada@example.com" }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("readAccessToken", () => {
  let dir = "";
  let a = "";
  let b = "";
  const write = (root: string, content: unknown) =>
    fs.writeFileSync(path.join(root, ".credentials.json"), typeof content === "string" ? content : JSON.stringify(content));
  const creds = (token: unknown) => ({ claudeAiOauth: { accessToken: token, refreshToken: "r", expiresAt: 1, scopes: ["user:inference"] }, other: {} });
  const noKeychain = async () => null;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "claude-dash-creds-"));
    a = path.join(dir, "a");
    b = path.join(dir, "b");
    fs.mkdirSync(a);
    fs.mkdirSync(b);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the first root with a token wins; the keychain is not asked", async () => {
    write(a, creds("tok-a"));
    write(b, creds("tok-b"));
    let asked = 0;
    expect(
      await readAccessToken([a, b], {
        keychain: async () => {
          asked++;
          return "tok-k";
        },
      }),
    ).toBe("tok-a");
    expect(await readAccessToken([b, a], { keychain: noKeychain })).toBe("tok-b");
    expect(asked).toBe(0);
  });

  test("a missing, malformed or tokenless file is skipped", async () => {
    write(b, creds("tok-b"));
    expect(await readAccessToken([path.join(dir, "missing"), b], { keychain: noKeychain })).toBe("tok-b");
    for (const bad of ["{not json", "[]", "null", creds(""), creds("   "), creds(42), creds("has space"), { claudeAiOauth: null }, {}]) {
      write(a, bad);
      expect(await readAccessToken([a, b], { keychain: noKeychain })).toBe("tok-b");
    }
  });

  test("surrounding whitespace is trimmed", async () => {
    write(a, creds("  tok-a\n"));
    expect(await readAccessToken([a], { keychain: noKeychain })).toBe("tok-a");
  });

  test("read afresh at each call", async () => {
    write(a, creds("tok-1"));
    expect(await readAccessToken([a], { keychain: noKeychain })).toBe("tok-1");
    write(a, creds("tok-2"));
    expect(await readAccessToken([a], { keychain: noKeychain })).toBe("tok-2");
    fs.rmSync(path.join(a, ".credentials.json"));
    expect(await readAccessToken([a], { keychain: noKeychain })).toBeNull();
  });

  test("keychain fallback: JSON of the same shape, or the raw token", async () => {
    expect(await readAccessToken([a], { keychain: async () => JSON.stringify(creds("tok-json")) })).toBe("tok-json");
    expect(await readAccessToken([a], { keychain: async () => "tok-raw\n" })).toBe("tok-raw");
  });

  test("keychain failures are null", async () => {
    for (const keychain of [
      noKeychain,
      async () => "",
      async () => "{oops",
      async () => JSON.stringify({ claudeAiOauth: {} }),
      async (): Promise<string | null> => {
        throw new Error("denied");
      },
    ]) {
      expect(await readAccessToken([a, b], { keychain })).toBeNull();
    }
  });

  test("an injected readFile is used, and its errors are skipped", async () => {
    const seen: string[] = [];
    const readFile = async (p: string) => {
      seen.push(p);
      if (p.startsWith(a)) throw new Error(`cannot read ${p}`);
      return JSON.stringify(creds("tok-injected"));
    };
    expect(await readAccessToken([a, b], { readFile, keychain: noKeychain })).toBe("tok-injected");
    expect(seen).toEqual([path.join(a, ".credentials.json"), path.join(b, ".credentials.json")]);
  });

  test("end to end: the client sends the token of the credentials file", async () => {
    write(a, creds(TOKEN));
    const calls = usage(() => HttpResponse.json(SHAPE_A));
    const h = harness({ readToken: () => readAccessToken([a], { keychain: noKeychain }) });
    await h.client.fetchNow();
    expect(calls.requests[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(h.events[0]!.type).toBe("AllowanceFetched");
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("the token never leaks", () => {
  // Each scenario is as hostile as it can be: bodies, status texts and error messages that echo the token.
  const echo = `Authorization: Bearer ${TOKEN}`;
  // (a setup is given the timers the scenario's client runs on)
  const scenarios: [string, (timers: FakeClock) => void, Partial<AllowanceClientOptions>?][] = [
    ["no credentials", () => {}, { readToken: async () => null }],
    [
      "readToken throws with the token",
      () => {},
      {
        readToken: async () => {
          throw new Error(echo);
        },
      },
    ],
    ["401", () => usage(() => new HttpResponse(echo, { status: 401, statusText: TOKEN }))],
    ["403", () => usage(() => HttpResponse.json({ error: echo }, { status: 403, statusText: TOKEN }))],
    ["429 seconds", () => usage(() => new HttpResponse(echo, { status: 429, statusText: TOKEN, headers: { "Retry-After": "120", "X-Echo": TOKEN } }))],
    ["429 date", () => usage(() => new HttpResponse(echo, { status: 429, headers: { "Retry-After": new Date(T0 + 9 * MIN).toUTCString() } }))],
    ["429 junk Retry-After", () => usage(() => new HttpResponse(echo, { status: 429, headers: { "Retry-After": TOKEN } }))],
    ["500", () => usage(() => new HttpResponse(echo, { status: 500, statusText: TOKEN }))],
    ["503", () => usage(() => new HttpResponse(echo, { status: 503, statusText: TOKEN }))],
    ["302", () => usage(() => new HttpResponse(echo, { status: 302, headers: { Location: `https://evil.test/?t=${TOKEN}` } }))],
    ["network error", () => usage(() => HttpResponse.error())],
    [
      "fetch rejects with the token in its message",
      () => {},
      {
        fetch: async () => {
          throw new TypeError(`request with ${echo} failed`);
        },
      },
    ],
    [
      "fetch rejects with the token in its cause",
      () => {},
      {
        fetch: async () => {
          throw new TypeError("fetch failed", { cause: { code: TOKEN, message: echo } });
        },
      },
    ],
    [
      "fetch throws a string",
      () => {},
      {
        fetch: () => {
          throw echo;
        },
      },
    ],
    [
      "timeout",
      (timers) =>
        usage(() => {
          timers.advance(100); // (the answer comes after the client's timeout)
          return new HttpResponse(echo);
        }),
      { timeoutMs: 100 },
    ],
    ["malformed JSON", () => usage(() => new HttpResponse(`{${echo}`, { headers: { "Content-Type": "application/json" } }))],
    ["wrong shape", () => usage(() => HttpResponse.json({ token: TOKEN, five_hour: { utilization: TOKEN } }))],
    ["limits of the wrong shape", () => usage(() => HttpResponse.json({ limits: [{ kind: TOKEN, percent: TOKEN }] }))],
    ["success", () => usage(() => HttpResponse.json({ ...SHAPE_A, echo: TOKEN }))],
  ];

  test("a token shaped like an error code is scrubbed from the cause too", async () => {
    const codeLike = "SECRET_CODE_SHAPED_TOKEN_42";
    const h = harness({
      readToken: async () => codeLike,
      fetch: async () => {
        throw new TypeError("fetch failed", { cause: { code: codeLike } });
      },
    });
    await h.client.fetchNow();
    expect(lastFailure(h.events).problem).toBe("network");
    expect(JSON.stringify(h.events)).not.toContain(codeLike);
  });

  for (const [name, setup, over] of scenarios) {
    test(name, async () => {
      const timers = fakeClock(T0);
      setup(timers);
      server.use(http.get(PROFILE, () => HttpResponse.json({ account: { email: `x ${TOKEN}`, display_name: echo }, organization: { name: TOKEN } })));
      const h = harness({ clock: timers, ...over });
      const thrown: unknown[] = [];
      await h.client.tick().catch((e: unknown) => thrown.push(e));
      await h.client.fetchNow().catch((e: unknown) => thrown.push(e));
      await h.client.fetchProfile().catch((e: unknown) => thrown.push(e));
      h.clock.t += BACKOFF_MAX_MS;
      await h.client.tick().catch((e: unknown) => thrown.push(e));
      expect(thrown).toEqual([]);
      expect(h.events.length).toBeGreaterThanOrEqual(3);
      const out = JSON.stringify(h.events);
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain("SECRET-TOKEN");
      for (const e of h.events) if (e.type === "AllowanceFailed") expect(e.message).not.toContain(TOKEN);
      expect(logged.join("\n")).not.toContain(TOKEN);
    });
  }
});
