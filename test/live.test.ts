// The live dashboard through OpenTUI's test renderer: the same renderable runLive mounts, on demo data, with
// clicks and keys sent as terminal input.
import { afterAll, afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestRenderer, type TestRendererSetup } from "@opentui/core/testing";
import { TranscriptSource } from "../src/ingest/source.ts";
import { memoryStore, openUsageStore } from "../src/ingest/store-open.ts";
import { replaceUnderway, withUsage, type UsageData } from "../src/ingest/usage-data.ts";
import { statusLine } from "../src/dashboard-output.ts";
import { layout } from "../src/ui/layout.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type { UsageStore } from "../src/ingest/store.ts";
import { promptLine, responseLines, type SessionInfo } from "../src/synth/lines.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { DashboardApp } from "../src/ui/app.ts";
import { demoApp } from "./builders.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { createDashboardRenderable, keyPressOf, LiveIngest } from "../src/ui/live.ts";
import { charWidth } from "../src/ui/text.ts";
import { theme } from "../src/ui/theme.ts";
import { until } from "./until.ts";

const NOW = Date.parse("2026-11-26T18:00:00Z");
// The waits below have generous deadlines (they return as soon as what they wait for is there); a test's own limit is
// longer still. (bun test does not read a timeout from bunfig.toml: without this, each test would have bun's 5 s.)
setDefaultTimeout(60_000);

let setup: TestRendererSetup | null = null;
afterEach(async () => {
  await setup?.dispose();
  setup = null;
});

/** The animation clock of the mounted dashboard (the data clock stays at NOW). */
let frameTime = NOW;

async function mount(still = true): Promise<{ t: TestRendererSetup; app: DashboardApp }> {
  frameTime = NOW;
  const app = demoApp(NOW, { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still });
  const t = await createTestRenderer({ width: 152, height: 48 });
  setup = t;
  createDashboardRenderable(t.renderer, app, { now: () => NOW, time: () => frameTime });
  return { t, app };
}

/** Renders until the frame satisfies `ok` (input is parsed asynchronously), for at most 30 s; returns the last frame. */
async function frameWhere(t: TestRendererSetup, ok: (frame: string) => boolean): Promise<string> {
  for (const end = Date.now() + 30_000; ; ) {
    await t.renderOnce();
    const f = t.captureCharFrame();
    if (ok(f) || Date.now() > end) return f;
    await Bun.sleep(10);
  }
}

const hasPopup = (f: string) => /│ model .*opus-4-6/.test(f) && f.includes("subagent");

test("clicking a session row opens its popup; q closes it", async () => {
  const { t, app } = await mount();
  await t.renderOnce();
  const rows = t.captureCharFrame().split("\n");
  const y = rows.findIndex((r) => r.includes("render pipeline"));
  expect(y).toBeGreaterThan(0);
  expect(hasPopup(rows.join("\n"))).toBe(false);
  const x = rows[y]!.indexOf("render pipeline");

  await t.mockMouse.click(x, y);
  const open = await frameWhere(t, hasPopup);
  expect(hasPopup(open)).toBe(true);
  expect(open).toContain("claude-opus-4-6");
  expect(open).toContain("q closes");

  t.mockInput.pressKey("q");
  const closed = await frameWhere(t, (f) => !hasPopup(f));
  expect(hasPopup(closed)).toBe(false);
  expect(closed).toContain("ACTIVE SESSIONS");
  expect(app.quit).toBe(false);
});

test("? shows the help overlay; Escape closes it, a second Escape does not quit (q does)", async () => {
  const { t, app } = await mount();
  await t.renderOnce();
  expect(t.captureCharFrame()).not.toContain("HELP");
  t.mockInput.pressKey("?");
  expect(await frameWhere(t, (f) => f.includes("HELP"))).toContain("HELP");

  t.mockInput.pressEscape();
  expect(await frameWhere(t, (f) => !f.includes("HELP"))).not.toContain("HELP");
  expect(app.quit).toBe(false);

  t.mockInput.pressEscape();
  await t.renderOnce();
  expect(app.quit).toBe(false);
  t.mockInput.pressKey("q");
  await frameWhere(t, () => app.quit);
  expect(app.quit).toBe(true);
});

test("wheel scrolls the selection; Enter opens the selected session", async () => {
  const { t, app } = await mount();
  await t.renderOnce();
  await t.mockMouse.scroll(40, 40, "down");
  await frameWhere(t, () => app.ui.selected === 1);
  expect(app.ui.selected).toBe(1);
  t.mockInput.pressEnter();
  const f = await frameWhere(t, (f) => f.includes("q closes"));
  expect(f).toContain("api-gateway");
  expect(app.ui.popups.map((p) => p.kind)).toEqual(["session"]);
});

test("key names: printable characters as typed, capitals, named keys, Ctrl-C", () => {
  const k = (name: string, sequence: string, mods: { ctrl?: boolean; shift?: boolean; meta?: boolean } = {}) =>
    keyPressOf({ name, sequence, ctrl: mods.ctrl ?? false, shift: mods.shift ?? false, meta: mods.meta ?? false });
  expect(k("?", "?").name).toBe("?");
  expect(k("l", "L", { shift: true }).name).toBe("L");
  expect(k("l", "\x1b[108;2u", { shift: true }).name).toBe("L"); // kitty keyboard protocol
  expect(k("/", "\x1b[47;2u", { shift: true }).name).toBe("?");
  expect(k("pagedown", "\x1b[6~").name).toBe("pagedown");
  expect(k("escape", "\x1b").name).toBe("escape");
  expect(k("return", "\r").name).toBe("return");
  expect(k("c", "\x03", { ctrl: true })).toEqual({ name: "c", ctrl: true, shift: false });
});

/** The differences between what the test renderer shows and a --once grid of the same app and time. */
function diffFromGrid(t: TestRendererSetup, app: DashboardApp, w: number, h: number): string[] {
  const grid = new CellGrid(w, h);
  app.render(grid, NOW, frameTime);
  const wrong: string[] = [];
  const text = t
    .captureCharFrame()
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .trimEnd();
  if (text !== grid.toPlain().trimEnd()) wrong.push("text");
  const pack = (b: ArrayLike<number>) => (b[0]! << 16) | (b[1]! << 8) | b[2]!;
  const or = (v: number, d: readonly [number, number, number]) => (v >= 0 ? v : pack(d));
  t.captureSpans().lines.forEach((line, y) => {
    let x = 0;
    for (const span of line.spans) {
      for (const ch of span.text) {
        const i = y * w + x;
        if (pack(span.bg.buffer) !== or(grid.bg[i]!, theme.bg)) wrong.push(`bg ${x},${y}`);
        if (ch !== " " && pack(span.fg.buffer) !== or(grid.fg[i]!, theme.text)) wrong.push(`fg ${x},${y} ${ch}`);
        x += Math.max(1, charWidth(ch.codePointAt(0)!));
      }
    }
  });
  return wrong.slice(0, 10);
}

test("frame after frame (shimmer, popups, resize) the screen equals the --once cell grid, colours included", async () => {
  const { t, app } = await mount(false);
  const step = async (w = 152, h = 48) => {
    await t.renderOnce();
    expect(diffFromGrid(t, app, w, h)).toEqual([]);
  };
  await step();
  for (let k = 1; k <= 4; k++) {
    frameTime = NOW + k * 170; // the shimmer moves: only what changed is repainted
    await step();
  }
  app.key({ name: "down" });
  app.key({ name: "return" }); // a popup over the panels: its border keeps the panel colour under it
  await step();
  app.key({ name: "?" });
  await step();
  app.key({ name: "q" });
  app.key({ name: "q" });
  await step();
  t.resize(100, 30);
  await step(100, 30);
  t.resize(40, 10); // too small
  await step(40, 10);
  t.resize(152, 48);
  await step();
});

// Ingest: file-watch notifications and the deferred history reach the app at a frame boundary.
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const SESSION: SessionInfo = { sessionId: "5b0c8a2e-0000-4000-8000-00000000live", cwd: "/home/dev/src/live" };
const response = (n: number, time: number) =>
  responseLines({
    session: SESSION,
    time,
    model: "claude-opus-4-6",
    messageId: `msg_${n}`,
    requestId: `req_${n}`,
    usage: { uncached: 10, cacheWrite5m: 1000, cacheWrite1h: 0, cacheRead: 20_000, output: 300 + n },
    blocks: [{ type: "text", text: `answer ${n}` }],
    uuids: [`a${n}`],
    parentUuid: null,
  }).join("\n") + "\n";

function transcriptRoot(): { root: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), "claude-dash-live-"));
  temps.push(root);
  const dir = join(root, "projects", "-home-dev-src-live");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${SESSION.sessionId}.jsonl`);
  const t0 = Date.now() - 60_000;
  writeFileSync(file, `${promptLine(SESSION, t0, "hello", "p1", null)}\n${response(1, t0 + 1000)}`);
  return { root, file };
}

function liveApp(store: UsageStore): DashboardApp {
  return new DashboardApp(new StoreQueries(store), { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true });
}

/** Responses stored so far. */
const stored = (store: UsageStore) => store.db.get<{ n: number }>("SELECT count(*) AS n FROM responses")!.n;

test("a first run of the live dashboard reads no transcript before its first frame, and every one right after it", async () => {
  const { root } = transcriptRoot(); // (written just now: its mtime is inside any window)
  const storeAt = join(mkdtempSync(join(tmpdir(), "claude-dash-first-")), "usage.sqlite");
  temps.push(join(storeAt, ".."));
  const load = { roots: [root], storeAt, since: Date.now() - 12 * 3_600_000, threads: 1, deferFirstRun: true };
  const first = await withUsage(load, (d) => d);
  expect(stored(first.store)).toBe(0);
  expect(first.source.stats.deferred).toBe(1);
  expect(statusLine(first.source, first.status)).toBe("reading 1 transcript…");
  const app = liveApp(first.store);
  let historyRead = 0;
  const ingest = new LiveIngest(first.source, {
    intervalSeconds: 3600,
    statusLine: (s) => statusLine(s, first.status),
    onError: () => {},
    deferredDelayMs: 20,
    historyRead: () => historyRead++,
  });
  try {
    ingest.frame(app); // the first frame: up at once, empty
    expect(app.view(Date.now(), layout(152, 48)).totals.responses).toBe(0);
    await until(() => historyRead > 0, "the history read after the first frame");
    expect(historyRead).toBe(1);
    expect(stored(first.store)).toBe(1);
    ingest.frame(app);
    expect(app.view(Date.now(), layout(152, 48)).totals.responses).toBe(1);
    expect(app.status).toBe("1 file");
  } finally {
    ingest.stop();
    first.store.close();
  }
  // A later start on that store reads what changed before its first frame, as every warm start does.
  const again = await withUsage(load, (d) => d);
  try {
    expect(again.source.stats.deferred).toBe(0);
    expect(stored(again.store)).toBe(1);
  } finally {
    again.store.close();
  }
});

test("a line appended to a transcript reaches the app through the file watch, at the next frame", async () => {
  const { root, file } = transcriptRoot();
  const store = memoryStore();
  const source = new TranscriptSource([root], store);
  const app = liveApp(store);
  source.refresh({ push: (e: ModelEvent) => app.apply([e]) });
  const errors: unknown[] = [];
  let statusCalls = 0;
  // A poll far away: only the watch can bring the line in time.
  const ingest = new LiveIngest(source, { intervalSeconds: 3600, statusLine: () => `status ${++statusCalls}`, onError: (e) => errors.push(e) });
  ingest.start();
  try {
    expect(ingest.watched).toEqual([join(root, "projects")]);
    ingest.frame(app);
    expect(app.status).toBe("status 1");
    const shown = () => app.view(Date.now(), layout(152, 48)).totals.responses;
    expect(shown()).toBe(1);
    expect(stored(store)).toBe(1);
    appendFileSync(file, response(2, Date.now()));
    await until(() => ingest.queue.length > 0, "a line read into the queue");
    expect(ingest.queue.length).toBeGreaterThan(0);
    expect(stored(store)).toBe(2); // stored as soon as it is read, off the frame path
    ingest.frame(app);
    expect(ingest.queue).toEqual([]);
    expect(shown()).toBe(2); // the views read the store
    expect(app.status).toBe("status 2");
    expect(errors).toEqual([]);
  } finally {
    ingest.stop();
  }
});

test("history left unread at startup is read shortly after the first frame", async () => {
  const { root, file } = transcriptRoot();
  const old = (Date.now() - 3 * 86_400_000) / 1000;
  utimesSync(file, old, old);
  const store = memoryStore();
  const source = new TranscriptSource([root], store, { since: Date.now() - 86_400_000 });
  const app = liveApp(store);
  source.refresh({ push: (e: ModelEvent) => app.apply([e]) });
  expect(source.stats.deferred).toBe(1);
  expect(stored(store)).toBe(0);
  const ingest = new LiveIngest(source, {
    intervalSeconds: 3600,
    statusLine: (s) => `${s?.stats.files} files, ${s?.stats.deferred} older`,
    onError: () => {},
    deferredDelayMs: 20,
  });
  try {
    ingest.frame(app);
    expect(app.status).toBe("0 files, 1 older");
    await until(() => ingest.queue.length > 0, "a line read into the queue");
    expect(stored(store)).toBe(1);
    ingest.frame(app);
    expect(app.view(Date.now(), layout(152, 48)).totals.responses).toBe(1);
    expect(app.status).toBe("1 files, 0 older");
  } finally {
    ingest.stop();
  }
});

test("a store that fills the disk under the running dashboard: it goes on with every number, in memory, and says so", async () => {
  const { root, file } = transcriptRoot();
  const data = mkdtempSync(join(tmpdir(), "claude-dash-live-store-"));
  temps.push(data);
  const storeAt = join(data, "usage.sqlite");
  const opened = openUsageStore({ path: storeAt, roots: [root], now: Date.now() });
  let current: UsageData = { store: opened.store, status: opened.status, source: new TranscriptSource([root], opened.store, { shared: true }) };
  current.source.refresh();
  const app = liveApp(current.store);
  const errors: unknown[] = [];
  const ingest = new LiveIngest(current.source, {
    intervalSeconds: 3600,
    statusLine: () => current.status.notice ?? "ok",
    onError: (e) => errors.push(e),
    recover: (e) => {
      const next = replaceUnderway(e, current, { roots: [root], storeAt });
      if (!next) return null;
      current = next;
      app.useQueries(new StoreQueries(next.store));
      return next.source;
    },
  });
  ingest.start();
  try {
    ingest.frame(app);
    expect(app.status).toBe("ok");
    const pages = current.store.db.get<{ page_count: number }>("PRAGMA page_count")!.page_count;
    current.store.db.exec(`PRAGMA max_page_count = ${pages}`); // the disk is full
    const t = Date.now() - 30_000;
    appendFileSync(file, Array.from({ length: 400 }, (_, i) => response(100 + i, t + i)).join(""));
    await until(() => current.status.state === "full", "the store to be replaced as full");
    ingest.frame(app);
    expect(errors).toEqual([]);
    expect(current.store.kind).toBe("memory");
    expect(app.status).toContain("disk is full");
    expect(app.view(Date.now(), layout(152, 48)).totals.responses).toBe(401); // the one stored before, and the 400 new
  } finally {
    ingest.stop();
  }
});
