// The usage store never loses history quietly, never follows a symbolic link, and says the truth about itself (issue 21,
// failures 1, 2 and 6, and the store's misleading messages). Driven through the real CLI as a user runs it: a generated
// corpus of 40 sessions, `Q` = --json --root C --now … --since 2020-01-01 --no-allowance, two-thirds of the transcripts
// deleted after the store took their facts, then the store emptied, deleted or damaged (cut in half, a zeroed page under
// the responses, a broken header, random bytes near its end). What the transcripts on disk no longer give is salvaged
// from the damaged file, what cannot be is counted and said (footer notice, --json, --store-info) until
// --acknowledge-loss; a symbolic link at the store's path is never followed. Plus the marker's rules, the salvage of
// every kind of fact (once each), and the states a read-only or full file system gives.
import { describe, expect, test } from "bun:test";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { generateSession } from "../src/synth/corpus.ts";
import { fileInfo } from "../src/ingest/discover.ts";
import { lineToEvents } from "../src/ingest/records.ts";
import { openUsageStore, memoryStore } from "../src/ingest/store-open.ts";
import { MARKER_EVERY_MS, markerPath, MarkerKeeper, mergeLoss, readMarker, type MarkerTimers } from "../src/ingest/store-marker.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import { rng, uuidFrom, promptLine, responseLines, toolResultLine, apiErrorLine, type SessionInfo } from "../src/synth/lines.ts";
import { replaceStore, withUsage } from "../src/ingest/usage-data.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { dashboardJson } from "../src/model/json-view.ts";
import type { UsageQueries } from "../src/model/queries.ts";
import { tempDirs, noDiagnostics } from "./builders.ts";

const REPO = resolve(import.meta.dir, "..");
const BUN = process.execPath;
const NOW = "2026-11-20T15:37:00Z";
const HOUR = 3_600_000;
const temp = tempDirs();

// ---------------------------------------------------------------------------------------------------------------
// The corpus, the machine and the CLI

const MODELS = ["claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"];

/** 40 generated sessions (some with a subagent) over the 15 days before NOW; returns the root and the main files. */
function corpus(): { root: string; mains: string[] } {
  const root = temp("salvage-root");
  const end = Date.parse(NOW);
  const mains: string[] = [];
  for (let i = 0; i < 40; i++) {
    const seed = 2100 + i;
    const plan = {
      sessionId: uuidFrom(rng(seed)),
      cwd: `/home/dev/src/p${i % 5}`,
      model: MODELS[i % 3]!,
      turns: 3 + (i % 4),
      subagents: i % 4 === 0 ? 1 : 0,
      start: 0,
      outputScale: 0.05,
    };
    const dry = generateSession(rng(seed), plan);
    const g = generateSession(rng(seed), { ...plan, start: end - (i * 9 + 1) * HOUR - dry.end });
    const dir = join(root, "projects", `-home-dev-src-p${i % 5}`);
    mkdirSync(dir, { recursive: true });
    const main = join(dir, `${plan.sessionId}.jsonl`);
    writeFileSync(main, `${g.main.join("\n")}\n`);
    mains.push(main);
    for (const a of g.agents) {
      mkdirSync(join(dir, plan.sessionId, "subagents"), { recursive: true });
      writeFileSync(join(dir, plan.sessionId, "subagents", `agent-${a.agentId}.jsonl`), `${a.lines.join("\n")}\n`);
    }
  }
  return { root, mains: mains.sort() };
}

interface Machine {
  home: string;
  xdg: string;
  root: string;
  mains: string[];
}

function machine(): Machine {
  const { root, mains } = corpus();
  return { home: temp("salvage-home"), xdg: join(temp("salvage-data"), "xdg"), root, mains };
}

function run(m: Machine, args: string[]): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([BUN, "src/cli.ts", ...args], {
    cwd: REPO,
    env: { ...process.env, HOME: m.home, XDG_DATA_HOME: m.xdg, CLAUDE_CONFIG_DIR: "", NO_COLOR: "1", TZ: "UTC" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const Q = (m: Machine) => ["--json", "--root", m.root, "--now", NOW, "--since", "2020-01-01", "--no-allowance"];

/** Q, parsed: the totals and the store's diagnostics. */
function q(m: Machine): {
  totals: { responses: number; costUSD: number; output: number; cacheRead: number };
  counts: Record<string, number>;
  store: {
    state: string;
    path: string;
    notice: string | null;
    loss: { responses: number | null; of: number | null; cause: string; movedTo: string | null; at: string } | null;
  };
} {
  const r = run(m, Q(m));
  if (r.code !== 0) throw new Error(`Q exited ${r.code}: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  return { totals: j.totals, counts: j.counts, store: j.diagnostics.store };
}

const storeInfo = (m: Machine, json = true) => run(m, ["--store-info", "--root", m.root, "--now", NOW, "--no-allowance", ...(json ? ["--json"] : [])]);

/** The store's directory holds the store, its marker, and whatever was moved aside. */
const storeDir = (m: Machine) => join(m.xdg, "claude-dash");

/** Q on the whole corpus, then Q after two-thirds of the sessions' main transcripts are deleted (history kept). */
function withHistory(m: Machine) {
  const full = q(m);
  const gone = m.mains.filter((_, i) => i % 3 !== 2);
  for (const f of gone) rmSync(f);
  const kept = q(m);
  expect(kept.totals).toEqual(full.totals); // (the store keeps the deleted transcripts' usage)
  const onDisk = run(m, [...Q(m), "--no-store"]);
  const transcriptsOnly = JSON.parse(onDisk.stdout).totals;
  expect(transcriptsOnly.responses).toBeLessThan(full.totals.responses / 2);
  return { full: full.totals, path: full.store.path, transcriptsOnly };
}

/** The page a table's tree starts on (read without changing the file). */
function rootPage(path: string, table: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = ?").get(table) as { rootpage: number }).rootpage;
  } finally {
    db.close();
  }
}

const DAMAGES: [string, (path: string) => void][] = [
  ["cut in half", (p) => truncateSync(p, Math.floor(statSync(p).size / 2 / 4096) * 4096)],
  [
    "zeroed pages (the tree above the responses, the rollup's, and a few more)",
    (p) => {
      const pages = [rootPage(p, "responses"), rootPage(p, "cells"), 7, 11];
      const buf = readFileSync(p);
      for (const n of pages) buf.fill(0, (n - 1) * 4096, n * 4096);
      writeFileSync(p, buf);
    },
  ],
  [
    "a broken header",
    (p) => {
      const buf = readFileSync(p);
      buf.write("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", 0, "latin1");
      writeFileSync(p, buf);
    },
  ],
  [
    "random bytes near the end",
    (p) => {
      const buf = readFileSync(p);
      const r = rng(21); // (seeded: a damage can be reproduced)
      for (let i = buf.length - 20_000; i < buf.length - 4000; i++) buf[i] = Math.floor(r() * 256);
      writeFileSync(p, buf);
    },
  ],
];

// ---------------------------------------------------------------------------------------------------------------

describe("failure 1: an emptied or deleted store is lost history, counted and said until acknowledged", () => {
  test("truncate -s 0: the next run says how many responses could not be saved, in --json, the footer's notice and --store-info, on every run until --acknowledge-loss", () => {
    const m = machine();
    const { full, path, transcriptsOnly } = withHistory(m);
    const marker = readMarker(path);

    truncateSync(path, 0);
    const after = q(m);
    expect(after.totals).toEqual(transcriptsOnly); // (what the transcripts on disk give: nothing more can be known)
    const lost = full.responses - transcriptsOnly.responses;
    expect(after.store.state).toBe("recovered");
    expect(after.store.loss).toMatchObject({ responses: lost, of: full.responses, cause: "emptied" });
    expect(after.store.notice).toContain(`${lost.toLocaleString("en-US")} of ${full.responses.toLocaleString("en-US")} responses could not be saved`);
    expect(after.store.notice).toContain("--acknowledge-loss");
    // (the marker beside the store said what it held; it is 0600, and now says what the new one holds, and the loss)
    expect(marker).toMatchObject({ responses: full.responses, loss: null });
    expect(statSync(markerPath(path)).mode & 0o777).toBe(0o600);
    expect(readMarker(path)).toMatchObject({ responses: transcriptsOnly.responses, loss: { responses: lost } });
    // the empty file is kept aside, not deleted
    expect(readdirSync(storeDir(m)).some((n) => n.includes(".damaged-"))).toBe(true);

    // the next runs: the store works ("ok"), and the loss is still said
    for (let i = 0; i < 2; i++) {
      const next = q(m);
      expect(next.store.state).toBe("ok");
      expect(next.store.loss).toMatchObject({ responses: lost, of: full.responses });
      expect(next.store.notice).toMatch(new RegExp(`^usage history lost on \\d{4}-\\d\\d-\\d\\d: ${lost.toLocaleString("en-US")} of`));
    }
    // the dashboard's footer says it (a frame as --once draws it)
    const frame = run(m, ["--once", "--plain", "--root", m.root, "--now", NOW, "--no-allowance", "--width", "160", "--height", "40"]);
    expect(frame.stdout.trimEnd().split("\n").at(-1)).toContain(`usage history lost on `);
    expect(frame.stdout.trimEnd().split("\n").at(-1)).toContain("--acknowledge-loss");
    const info = JSON.parse(storeInfo(m).stdout);
    expect(info.loss).toMatchObject({ responses: lost, of: full.responses, cause: "emptied" });
    expect(storeInfo(m, false).stdout).toMatch(
      new RegExp(`^lost +${lost} of ${full.responses} responses' history, found \\d{4}-\\d\\d-\\d\\d: the store was emptied`, "m"),
    );

    // acknowledged: said once, then no more (and --store-info keeps it as acknowledged)
    const ack = run(m, ["--acknowledge-loss", "--root", m.root, "--no-allowance"]);
    expect(ack.code).toBe(0);
    expect(ack.stdout).toMatch(new RegExp(`acknowledged: usage history lost on \\d{4}-\\d\\d-\\d\\d: ${lost.toLocaleString("en-US")} of`));
    const quiet = q(m);
    expect(quiet.store).toMatchObject({ state: "ok", notice: null, loss: null });
    expect(storeInfo(m, false).stdout).toMatch(/^lost .*\(acknowledged \d{4}-\d\d-\d\d\)$/m);
    expect(run(m, ["--acknowledge-loss", "--root", m.root, "--no-allowance"]).stdout).toContain("no lost usage history to acknowledge");
  });

  test("the store deleted while its marker stays is a loss too; the store and its marker deleted together is forgetting", () => {
    const m = machine();
    const { full, path, transcriptsOnly } = withHistory(m);
    rmSync(path);
    const after = q(m);
    expect(after.store.state).toBe("recovered");
    expect(after.store.loss).toMatchObject({ responses: full.responses - transcriptsOnly.responses, cause: "missing" });
    expect(after.store.notice).toContain("(store deleted, its marker kept)");
    expect(JSON.parse(storeInfo(m).stdout).loss.cause).toBe("missing");

    // forgetting on purpose: the store and its marker
    for (const n of readdirSync(storeDir(m))) rmSync(join(storeDir(m), n));
    const fresh = q(m);
    expect(fresh.store).toMatchObject({ state: "created", notice: null, loss: null });
    expect(fresh.totals).toEqual(transcriptsOnly);
  });

  test("a warm run that changes nothing does not write the marker; one that reads new lines does", () => {
    const m = machine();
    const first = q(m);
    const marker = markerPath(first.store.path);
    const before = statSync(marker).mtimeMs;
    const text = readFileSync(marker, "utf8");
    q(m);
    expect(statSync(marker).mtimeMs).toBe(before);
    expect(readFileSync(marker, "utf8")).toBe(text);
    rmSync(m.mains[0]!); // (a deleted transcript: the store notes it gone)
    writeFileSync(
      join(m.root, "projects", "-home-dev-src-p0", "extra.jsonl"),
      `${responseLines({ session: { sessionId: "extra", cwd: "/x" }, time: Date.parse(NOW) - HOUR, model: MODELS[0]!, messageId: "msg_extra", requestId: "req_extra", usage: { uncached: 1, cacheWrite5m: 2, cacheWrite1h: 0, cacheRead: 3, output: 4 }, blocks: [{ type: "text", text: "x" }], uuids: ["u-extra"], parentUuid: null }).join("\n")}\n`,
    );
    const more = q(m);
    expect(more.totals.responses).toBe(first.totals.responses + 1);
    expect(readMarker(first.store.path)?.responses).toBe(more.totals.responses);
  });
});

describe("failure 2: a damaged store is salvaged before it is replaced", () => {
  for (const [name, damage] of DAMAGES) {
    test(`${name}: every response that can still be read is kept, each once; what cannot is counted and said on every run`, () => {
      const m = machine();
      const { full, path } = withHistory(m);
      damage(path);
      const after = q(m);
      expect(after.store.state).toBe("recovered");
      expect(after.store.notice).toContain("moved to");
      const lost = after.store.loss?.responses ?? 0;
      // each response counts once: what is kept plus what is lost is what the store held
      expect(after.totals.responses + lost).toBe(full.responses);
      if (name !== "cut in half") {
        // (the damage leaves every row readable somewhere: nothing is lost, and the numbers are the first run's)
        expect(after.store.loss).toBeNull();
        expect(after.totals).toEqual(full);
        expect(after.store.notice).toContain("nothing was lost");
      } else {
        expect(lost).toBeGreaterThan(0);
        expect(after.store.notice).toContain(`${lost.toLocaleString("en-US")} of ${full.responses.toLocaleString("en-US")} responses could not be saved`);
        expect(after.totals.responses).toBeGreaterThan(full.responses - (full.responses * 2) / 3); // (salvaged: more than the transcripts give)
      }
      // the next run: the new store holds it all, and a loss is still said
      const next = q(m);
      expect(next.totals).toEqual(after.totals);
      expect(next.store.state).toBe("ok");
      expect(next.store.loss?.responses ?? 0).toBe(lost);
      // the damaged file is kept aside, as it was
      expect(readdirSync(storeDir(m)).filter((n) => n.includes(".damaged-") && !n.endsWith("-wal") && !n.endsWith("-shm")).length).toBe(1);
    });
  }
});

describe("failure 6: the store never follows a symbolic link", () => {
  test("a link to another SQLite file, to a text file, or dangling: refused in one line, nothing written through it, the numbers from the transcripts", () => {
    const m = machine();
    const path = JSON.parse(storeInfo(m).stdout).path as string;
    mkdirSync(storeDir(m), { recursive: true, mode: 0o700 });
    const elsewhere = temp("salvage-elsewhere");
    const expected = JSON.parse(run(m, [...Q(m), "--no-store"]).stdout).totals;

    // another SQLite file
    const other = join(elsewhere, "other.sqlite");
    const db = new DatabaseSync(other);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    db.close();
    chmodSync(other, 0o644);
    const otherBytes = readFileSync(other);
    symlinkSync(other, path);
    const viaLink = q(m);
    expect(viaLink.store.state).toBe("refused");
    expect(viaLink.store.notice).toContain("is a symbolic link");
    expect(viaLink.totals).toEqual(expected);
    expect(readFileSync(other)).toEqual(otherBytes); // (no tables of ours, no WAL mode)
    expect(statSync(other).mode & 0o777).toBe(0o644);
    expect(readdirSync(elsewhere)).toEqual(["other.sqlite"]);

    // a text file
    rmSync(path);
    const text = join(elsewhere, "notes.txt");
    writeFileSync(text, "my notes\n");
    chmodSync(text, 0o644);
    symlinkSync(text, path);
    expect(q(m).store.state).toBe("refused");
    expect(statSync(text).mode & 0o777).toBe(0o644);
    expect(readFileSync(text, "utf8")).toBe("my notes\n");

    // dangling: nothing is made at its target, outside the data folder
    rmSync(path);
    const target = join(elsewhere, "made-here.sqlite");
    symlinkSync(target, path);
    expect(q(m).store.state).toBe("refused");
    expect(existsSync(target)).toBe(false);
    expect(JSON.parse(storeInfo(m).stdout).state).toBe("refused");

    // a link at its -wal, or at its marker
    rmSync(path);
    for (const beside of [`${path}-wal`, markerPath(path)]) {
      symlinkSync(join(elsewhere, "beside"), beside);
      const r = q(m);
      expect(r.store.state).toBe("refused");
      expect(r.store.notice).toContain(`${beside} is a symbolic link`);
      expect(existsSync(join(elsewhere, "beside"))).toBe(false);
      rmSync(beside);
    }
    // with no link left, the store is made inside the data folder, 0600 in a 0700 folder
    expect(q(m).store.state).toBe("created");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(storeDir(m)).mode & 0o777).toBe(0o700);
  });

  test("a data folder that does not exist is made 0700, and the store only inside it", () => {
    const m = machine();
    const r = q(m);
    expect(r.store.state).toBe("created");
    expect(statSync(storeDir(m)).mode & 0o777).toBe(0o700);
    expect(statSync(r.store.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(storeDir(m)).sort()).toEqual([r.store.path.split("/").at(-1)!, `${r.store.path.split("/").at(-1)!}.marker`].sort());
  });
});

describe("the store says the truth about itself", () => {
  test("--store-info on a store of a newer layout says so (not 'nothing stored yet'), and leaves it as it is", () => {
    const m = machine();
    const { path } = { path: q(m).store.path };
    const db = new DatabaseSync(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    const bytes = readFileSync(path);
    const text = storeInfo(m, false).stdout;
    expect(text).toMatch(/^state +newer — written by a newer claude-dash/m);
    expect(text).not.toContain("nothing stored yet");
    expect(text).toContain("not read: written by a newer claude-dash");
    expect(JSON.parse(storeInfo(m).stdout).state).toBe("newer");
    expect(q(m).store.state).toBe("newer");
    expect(readFileSync(path)).toEqual(bytes);
  });

  test("a new store on a full disk: 'full', and no empty file left behind", () => {
    const data = temp("salvage-full");
    const path = join(data, "usage.sqlite");
    const r = openUsageStore({ path, roots: ["/r"], now: Date.parse(NOW), pageLimit: 3 });
    expect(r.status.state).toBe("full");
    expect(r.status.notice).toContain("the disk is full");
    expect(r.store.kind).toBe("memory");
    expect(readdirSync(data)).toEqual([]);
  });

  // A real read-only mount and a real full disk need a tmpfs (root in a container that may mount).
  const mount = (() => {
    if (process.platform !== "linux" || process.getuid?.() !== 0) return null;
    const probe = temp("salvage-mount-probe");
    const ok = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]).exitCode === 0;
    if (ok) Bun.spawnSync(["umount", probe]);
    return ok ? (dir: string, size: string) => Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]).exitCode === 0 : null;
  })();
  if (!mount) console.log("skip: a read-only mount and a full disk (needs root and tmpfs)");

  test.skipIf(!mount)(
    "a read-only file system is said to be read-only (not 'unreadable'), and its history is still shown; a full one is said to be full, with no file left",
    () => {
      const m = machine();
      const xdg = temp("salvage-mnt");
      m.xdg = xdg;
      try {
        expect(mount!(xdg, "64m")).toBe(true);
        const { full, path } = withHistory(m);
        expect(Bun.spawnSync(["mount", "-o", "remount,ro", xdg]).exitCode).toBe(0);
        const ro = q(m);
        expect(ro.store.state).toBe("read-only");
        expect(ro.store.notice).toContain("read-only file system");
        expect(ro.totals).toEqual(full); // (the deleted transcripts' history, read from the store)
        const info = JSON.parse(storeInfo(m).stdout);
        expect(info.state).toBe("read-only");
        expect(info.responses).toBe(full.responses);
        expect(existsSync(path)).toBe(true);
      } finally {
        Bun.spawnSync(["umount", xdg]);
      }
      try {
        expect(mount!(xdg, "16k")).toBe(true);
        const r = q(m);
        expect(r.store.state).toBe("full");
        expect(r.store.notice).toContain("the disk is full");
        expect(readdirSync(join(xdg, "claude-dash"))).toEqual([]);
      } finally {
        Bun.spawnSync(["umount", xdg]);
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// The salvage, fact by fact, and the marker's writer

describe("what a salvage keeps", () => {
  const S1 = "11111111-1111-4111-8111-111111111111";
  const S2 = "22222222-2222-4222-8222-222222222222";
  const end = Date.parse("2026-11-26T18:00:00Z");
  const s1: SessionInfo = { sessionId: S1, cwd: "/home/dev/src/app" };
  const s2: SessionInfo = { sessionId: S2, cwd: "/home/dev/src/app" };
  const resp = (s: SessionInfo, id: string, minutesAgo: number, output: number) =>
    responseLines({
      session: s,
      time: end - minutesAgo * 60_000,
      model: "claude-opus-4-6",
      messageId: `msg_${id}`,
      requestId: `req_${id}`,
      usage: { uncached: 3, cacheWrite5m: 100, cacheWrite1h: 0, cacheRead: 2000, output },
      blocks: [
        { type: "text", text: "ok" },
        { type: "tool_use", id: `toolu_${id}`, name: "Read", input: {} },
      ],
      uuids: [`a-${id}`, `b-${id}`],
      parentUuid: null,
    });
  const eventsOf = (f: string): ModelEvent[] => {
    const info = fileInfo(f);
    const out: ModelEvent[] = [];
    readFileSync(f, "utf8")
      .split("\n")
      .forEach((l, i) => lineToEvents(l, i + 1, { file: f, fileSessionId: info.sessionId, fileAgentId: info.agentId }, out));
    return out;
  };
  const seen = (q: UsageQueries) => {
    const diag = noDiagnostics("");
    const j = dashboardJson(q, { now: end, windowHours: 24 * 30, bucketMinutes: 60, activeWindowHours: 24 * 30 }, diag, false);
    return { totals: j.totals, counts: j.counts, sessions: j.sessions.map((s) => ({ ...s, lastApiError: null })), buckets: j.buckets };
  };

  test("the facts of deleted transcripts (responses, prompts, tool calls and results, API errors, a copy in a resumed session) come back once each; the transcripts on disk are read again, not counted twice", async () => {
    const root = temp("salvage-unit-root");
    const data = temp("salvage-unit-data");
    const projects = join(root, "projects", "-home-dev-src-app");
    mkdirSync(projects, { recursive: true });
    const a = join(projects, `${S1}.jsonl`);
    const b = join(projects, `${S2}.jsonl`);
    // A: deleted later; B: stays, and repeats A's r2 with a larger output (a resumed session)
    writeFileSync(
      a,
      `${[promptLine(s1, end - 100 * 60_000, "go", "p-a", null), ...resp(s1, "r1", 99, 10), toolResultLine(s1, end - 98 * 60_000, "toolu_r1", { uuid: "t-a", parentUuid: null }), ...resp(s1, "r2", 97, 20), apiErrorLine(s1, end - 96 * 60_000, "e-a", null)].join("\n")}\n`,
    );
    writeFileSync(b, `${[promptLine(s2, end - 50 * 60_000, "again", "p-b", null), ...resp(s2, "r2", 97, 999), ...resp(s2, "r3", 40, 30)].join("\n")}\n`);
    const path = join(data, "usage.sqlite");
    const load = { roots: [root], storeAt: path, threads: 1 };
    await withUsage(load, (d) => d.store.close());
    const expected = memoryStore();
    expected.putEvents("/deleted/a.jsonl", eventsOf(a));
    expected.putEvents(b, eventsOf(b));
    rmSync(a);
    const before = await withUsage(load, (d) => {
      const v = seen(new StoreQueries(d.store));
      d.store.close();
      return v;
    });
    expect(before).toEqual(seen(new StoreQueries(expected)));
    // broken header: the whole file must be read through a repaired copy
    const buf = readFileSync(path);
    buf.write("not sqlite at all", 0, "latin1");
    writeFileSync(path, buf);
    const after = await withUsage(load, (d) => {
      const v = { seen: seen(new StoreQueries(d.store)), status: d.status };
      d.store.close();
      return v;
    });
    expect(after.status.state).toBe("recovered");
    expect(after.seen).toEqual(before);
    expect(after.seen.counts).toMatchObject({ prompts: 2, toolCalls: 3, apiErrors: 1 });
    expect(after.seen.totals.responses).toBe(3);
    expect(after.seen.totals.output).toBe(10 + 999 + 30);
    // the damaged file is as it was
    const aside = readdirSync(data).find((n) => n.includes(".damaged-") && !n.endsWith("-wal") && !n.endsWith("-shm"))!;
    expect(readFileSync(join(data, aside))).toEqual(buf);
    // and the next run reads nothing again, with the same numbers
    const source = await withUsage(load, (d) => {
      const v = { seen: seen(new StoreQueries(d.store)), status: d.status.state };
      d.store.close();
      return v;
    });
    expect(source).toEqual({ seen: before, status: "ok" });
  });

  test("a second process that finds the store damaged after another has replaced it opens the new one (it does not move a sound store aside)", () => {
    const data = temp("salvage-two");
    const path = join(data, "usage.sqlite");
    const open = () => openUsageStore({ path, roots: ["/r"], now: Date.parse(NOW) });
    const b = open().store; // (a dashboard that has the store open)
    b.putEvents("/t/a.jsonl", eventsFrom(1));
    const a = openUsageStore({ path, roots: ["/r"], now: Date.parse(NOW), damaged: true, damagedId: b.fileId }); // (another run found it damaged)
    expect(a.status.state).toBe("recovered");
    a.store.close();
    // the dashboard's own connection now fails: it is given the new store, not another recovery
    const again = replaceStore(b, "corrupt", { roots: ["/r"], storeAt: path, clock: () => Date.parse(NOW) + 1000 });
    expect(again.status.state).toBe("ok");
    expect(again.store.db.get<{ n: number }>("SELECT count(*) AS n FROM responses")!.n).toBe(1);
    expect(readdirSync(data).filter((n) => /\.damaged-[^/]*Z$/.test(n)).length).toBe(1);
    again.store.close();
  });

  test("the marker of a long run is written when the store changed, at most once a minute, and never mid-transaction", () => {
    const data = temp("salvage-keeper");
    const path = join(data, "usage.sqlite");
    const { store } = openUsageStore({ path, roots: ["/r"], now: 0 });
    let now = 1_000_000;
    const keeper = new MarkerKeeper(store, () => now, null);
    keeper.flush();
    expect(readMarker(path)).toMatchObject({ responses: 0, at: now });
    store.onChange = () => keeper.note();
    store.putEvents("/t/a.jsonl", eventsFrom(1));
    now += 30_000;
    store.putEvents("/t/b.jsonl", eventsFrom(2));
    expect(readMarker(path)?.responses).toBe(0); // (within the minute)
    now += 31_000;
    store.putEvents("/t/c.jsonl", eventsFrom(3));
    expect(readMarker(path)?.responses).toBe(3);
    store.db.begin(true);
    now += 61_000;
    store.putEvents("/t/d.jsonl", eventsFrom(4));
    expect(readMarker(path)?.responses).toBe(3); // (not what a transaction still open holds)
    store.db.commit();
    keeper.flush();
    expect(readMarker(path)?.responses).toBe(4);
    store.close();
  });
});

function eventsFrom(n: number): ModelEvent[] {
  return [
    {
      type: "ResponseObserved",
      key: `k${n}`,
      time: Date.parse(NOW) - n * 60_000,
      sessionId: "s",
      agentId: null,
      model: "claude-opus-4-6",
      usage: { uncached: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 1 },
      cwd: null,
      entrypoint: null,
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// What a review of the above found (issue 21): each case through the real CLI where a run can show it; races that only
// a moment between two steps makes happen are made to happen there (openUsageStore's `race` hooks).

/** A machine whose transcripts the test writes itself, in `dir`. */
function bare(): Machine & { dir: string } {
  const root = temp("salvage-bare-root");
  const dir = join(root, "projects", "-home-dev-p");
  mkdirSync(dir, { recursive: true });
  return { home: temp("salvage-home"), xdg: join(temp("salvage-data"), "xdg"), root, mains: [], dir };
}

/** The lines of `n` responses of one session, the first at `from`, a minute apart (`tag` makes their keys). */
function responsesOf(session: string, tag: string, n: number, from: number): string[] {
  const s = { sessionId: session, cwd: "/home/dev/p" };
  return Array.from({ length: n }, (_, i) =>
    responseLines({
      session: s,
      time: from + i * 60_000,
      model: MODELS[0]!,
      messageId: `msg_${tag}_${i}`,
      requestId: `req_${tag}_${i}`,
      usage: { uncached: 3, cacheWrite5m: 10, cacheWrite1h: 0, cacheRead: 100, output: 7 },
      blocks: [{ type: "text", text: "ok" }],
      uuids: [`u-${tag}-${i}`],
      parentUuid: null,
    }),
  ).flat();
}

/** A transcript of `n` responses (see responsesOf) last written at `mtime`; returns its path. */
function transcript(m: { dir: string }, seed: number, n: number, from: number, mtime: number): string {
  const session = uuidFrom(rng(seed));
  const path = join(m.dir, `${session}.jsonl`);
  writeFileSync(path, `${responsesOf(session, `s${seed}`, n, from).join("\n")}\n`);
  utimesSync(path, mtime / 1000, mtime / 1000);
  return path;
}

/** A run with the default window (12 hours: transcripts last written before it are left unread). */
const W = (m: Machine) => ["--json", "--root", m.root, "--now", NOW, "--no-allowance"];

function qa(m: Machine, args: string[]): ReturnType<typeof q> {
  const r = run(m, args);
  if (r.code !== 0) throw new Error(`exited ${r.code}: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  return { totals: j.totals, counts: j.counts, store: j.diagnostics.store };
}

const damagedFiles = (m: Machine) => readdirSync(storeDir(m)).filter((n) => /\.damaged-[^/]*Z(-\d+)?$/.test(n));

describe("a loss is counted against what the store held, never against transcripts it did not read", () => {
  test("100 responses of 2025 in a transcript no run read (older than every window), 10 of today; the 10 deleted and the store emptied: 10 are lost, not 'nothing'", () => {
    const m = bare();
    const end = Date.parse(NOW);
    transcript(m, 1, 100, Date.parse("2025-06-01T10:00:00Z"), Date.parse("2025-06-01T12:00:00Z"));
    const rec = transcript(m, 2, 10, end - 2 * HOUR, end - HOUR);
    const first = qa(m, W(m));
    expect(first.totals.responses).toBe(10);
    const path = first.store.path;
    expect(readMarker(path)?.responses).toBe(10);

    rmSync(rec);
    truncateSync(path, 0);
    const after = qa(m, W(m));
    expect(after.store.state).toBe("recovered");
    expect(after.store.loss).toMatchObject({ responses: 10, of: 10, cause: "emptied" });
    expect(after.store.notice).toContain("10 of 10 responses could not be saved");
    expect(after.store.notice).not.toContain("nothing was lost");
    // (the transcript no run had read is in the new store: every transcript on disk is read again)
    expect(qa(m, Q(m)).totals.responses).toBe(100);
    expect(readMarker(path)).toMatchObject({ responses: 100, unread: 0, loss: { responses: 10 } });
  });

  test("a transcript the store never read holding responses within the store's span: the loss is bounded (at least, up to), not given as exact", () => {
    const m = bare();
    const end = Date.parse(NOW);
    // 5 responses of March 2025 in a transcript last written in September; 10 of today
    transcript(m, 3, 5, Date.parse("2025-03-01T10:00:00Z"), Date.parse("2025-09-01T12:00:00Z"));
    const rec = transcript(m, 4, 10, end - 2 * HOUR, end - HOUR);
    const first = qa(m, Q(m));
    expect(first.totals.responses).toBe(15);
    const path = first.store.path;
    // a transcript of June 2025 appears; a run with the default window leaves it unread, and its marker says so
    const mid = transcript(m, 5, 3, Date.parse("2025-06-01T10:00:00Z"), Date.parse("2025-06-02T12:00:00Z"));
    qa(m, W(m));
    expect(readMarker(path)).toMatchObject({ responses: 15, unread: 1, unreadNewest: statSync(mid).mtimeMs });

    rmSync(rec);
    truncateSync(path, 0);
    const after = qa(m, W(m));
    // 10 were lost; the 3 of June may or may not have been the store's (a run may once have read them): 7 to 10
    expect(after.store.loss).toMatchObject({ responses: null, atLeast: 7, upTo: 10, of: 15, cause: "emptied" });
    expect(after.store.notice).toContain("at least 7 (up to 10) of 15 responses could not be saved");
    expect(qa(m, W(m)).store.notice).toMatch(/^usage history lost on \d{4}-\d\d-\d\d: at least 7 \(up to 10\) of 15 responses/);
    expect(storeInfo(m, false).stdout).toMatch(/^lost +at least 7 \(up to 10\) of 15 responses' history/m);
  });
});

describe("an empty file with no marker beside it is a leftover, not lost history", () => {
  test("a 0-byte store and no marker (what an older version left on a full disk) is replaced without a word", () => {
    const m = machine();
    const path = JSON.parse(storeInfo(m).stdout).path as string;
    mkdirSync(storeDir(m), { recursive: true, mode: 0o700 });
    writeFileSync(path, "", { mode: 0o600 });
    expect(JSON.parse(storeInfo(m).stdout)).toMatchObject({ state: "none", loss: null });
    const expected = JSON.parse(run(m, [...Q(m), "--no-store"]).stdout).totals;
    const r = q(m);
    expect(r.store).toMatchObject({ state: "created", notice: null, loss: null });
    expect(r.totals).toEqual(expected);
    expect(readdirSync(storeDir(m)).filter((n) => n.includes(".damaged-") || n.includes(".empty-"))).toEqual([]);
    expect(q(m).store).toMatchObject({ state: "ok", notice: null, loss: null });
    expect(JSON.parse(storeInfo(m).stdout)).toMatchObject({ state: "ok", loss: null });
  });
});

describe("the salvage says each response once", () => {
  test("a response both in `responses` and in `copies` (a resumed session repeats it; both transcripts deleted) is one saved response in the notice", () => {
    const m = bare();
    const end = Date.parse(NOW);
    const a = uuidFrom(rng(11));
    const b = uuidFrom(rng(12));
    const fa = join(m.dir, `${a}.jsonl`);
    const fb = join(m.dir, `${b}.jsonl`);
    writeFileSync(fa, `${responsesOf(a, "r", 2, end - 5 * HOUR).join("\n")}\n`);
    // the resumed session: the same two responses again, then one of its own
    writeFileSync(fb, `${[...responsesOf(b, "r", 2, end - 5 * HOUR), ...responsesOf(b, "own", 1, end - 4 * HOUR)].join("\n")}\n`);
    const first = qa(m, Q(m));
    expect(first.totals.responses).toBe(3);
    rmSync(fa);
    rmSync(fb);
    expect(qa(m, Q(m)).totals).toEqual(first.totals);
    const buf = readFileSync(first.store.path);
    buf.write("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", 0, "latin1");
    writeFileSync(first.store.path, buf);
    const after = qa(m, Q(m));
    expect(after.store.state).toBe("recovered");
    expect(after.totals).toEqual(first.totals);
    expect(after.store.loss).toBeNull();
    expect(after.store.notice).toContain("nothing was lost (3 responses of deleted transcripts saved from it");
  });
});

describe("two processes that find the store gone at once count its loss once", () => {
  test("both find it deleted (its marker kept) and make a new one: the one that links its store first counts the loss, the other uses that store", async () => {
    const m = machine();
    const { full, path, transcriptsOnly } = withHistory(m);
    rmSync(path);
    const roots = [m.root];
    const now = Date.parse(NOW);
    let second: ReturnType<typeof openUsageStore> | null = null;
    // (the first has made its new store and is about to link it into place when the second makes and links its own)
    const first = openUsageStore({ path, roots, now, race: { beforeLink: () => void (second ??= openUsageStore({ path, roots, now })) } });
    expect(second!.status.state).toBe("recovered");
    expect(first.status.state).toBe("ok");
    expect(first.status.recovery).toBeUndefined();
    const load = { roots, storeAt: path, threads: 1, clock: () => now };
    for (const o of [second!, first]) await withUsage({ ...load, opened: o }, (d) => d.store.close());
    const lost = full.responses - transcriptsOnly.responses;
    expect(readMarker(path)?.loss).toMatchObject({ responses: lost, of: full.responses });
    const next = q(m);
    expect(next.store.loss).toMatchObject({ responses: lost, of: full.responses });
    expect(next.store.notice).toContain(`${lost.toLocaleString("en-US")} of ${full.responses.toLocaleString("en-US")} responses`);
  });

  test("two real runs at once after the store was deleted, several times over: the loss is said as it is, never twice", async () => {
    for (let trial = 0; trial < 4; trial++) {
      const m = bare();
      const end = Date.parse(NOW);
      const files = [1, 2, 3, 4].map((i) => transcript(m, 30 + i, 25, end - (5 - i) * HOUR, end - HOUR));
      const first = qa(m, Q(m));
      expect(first.totals.responses).toBe(100);
      rmSync(files[0]!);
      rmSync(files[1]!);
      rmSync(first.store.path);
      const runs = [0, 1].map(() =>
        Bun.spawn([BUN, "src/cli.ts", ...Q(m)], {
          cwd: REPO,
          env: { ...process.env, HOME: m.home, XDG_DATA_HOME: m.xdg, CLAUDE_CONFIG_DIR: "", NO_COLOR: "1", TZ: "UTC" },
          stdout: "pipe",
          stderr: "pipe",
        }),
      );
      expect(await Promise.all(runs.map((p) => p.exited))).toEqual([0, 0]);
      expect(readMarker(first.store.path)?.loss).toMatchObject({ responses: 50, of: 100 });
      expect(qa(m, Q(m)).store.loss).toMatchObject({ responses: 50, of: 100 });
    }
  }, 60_000);

  test("the same loss recorded twice (both processes counted it, from the same marker) is counted once, the smaller count kept", () => {
    const l = (responses: number, at: number) => ({ at, responses, atLeast: null, upTo: null, of: 100, cause: "missing" as const, movedTo: null, from: [5] });
    expect(mergeLoss(l(60, 1), l(55, 2))).toMatchObject({ responses: 55, of: 100, at: 1 });
    // (two losses of two stores add up)
    expect(mergeLoss(l(60, 1), { ...l(10, 9), from: [8] })).toMatchObject({ responses: 70, from: [5, 8] });
  });
});

describe("only the file found damaged is moved aside, and what SQLite opens is the file that was looked at", () => {
  test("two processes find the store damaged at once: the later one finds the other's new store at the path and opens it, and no sound store is moved aside", async () => {
    const m = machine();
    const { full, path } = withHistory(m);
    DAMAGES.find(([n]) => n === "a broken header")![1](path);
    const roots = [m.root];
    const now = Date.parse(NOW);
    let second: ReturnType<typeof openUsageStore> | null = null;
    // (the first found it damaged and is about to move it aside when the second moves it and makes the new one)
    const first = openUsageStore({ path, roots, now, race: { beforeReplace: () => void (second ??= openUsageStore({ path, roots, now })) } });
    expect(second!.status.state).toBe("recovered");
    expect(first.status.state).toBe("ok");
    expect(first.store.fileId).toBe(second!.store.fileId);
    expect(damagedFiles(m).length).toBe(1);
    const load = { roots, storeAt: path, threads: 1, clock: () => now };
    for (const o of [second!, first]) await withUsage({ ...load, opened: o }, (d) => d.store.close());
    const next = q(m);
    expect(next.store).toMatchObject({ state: "ok", loss: null });
    expect(next.totals).toEqual(full);
    expect(damagedFiles(m).length).toBe(1);
  });

  test("a symbolic link put at the store's path after it was looked at and before SQLite opens it is not followed: what it leads to is left as it was, nothing is made at a dangling link's target", () => {
    const m = machine();
    const path = q(m).store.path;
    const elsewhere = temp("salvage-swap");
    const other = join(elsewhere, "other.sqlite");
    const db = new DatabaseSync(other);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    db.close();
    chmodSync(other, 0o644);
    const bytes = readFileSync(other);
    const swapTo = (target: string) => {
      let done = false;
      return {
        beforeOpen: () => {
          if (done) return;
          done = true;
          renameSync(path, `${path}.kept`);
          symlinkSync(target, path);
        },
      };
    };
    const roots = [m.root];
    const now = Date.parse(NOW);
    const a = openUsageStore({ path, roots, now, race: swapTo(other) });
    expect(a.status.state).toBe("refused");
    expect(a.status.notice).toContain("is a symbolic link");
    a.store.close();
    expect(readFileSync(other)).toEqual(bytes);
    expect(statSync(other).mode & 0o777).toBe(0o644);
    expect(readdirSync(elsewhere)).toEqual(["other.sqlite"]);

    rmSync(path);
    renameSync(`${path}.kept`, path);
    const target = join(elsewhere, "made-here.sqlite");
    const b = openUsageStore({ path, roots, now, race: swapTo(target) });
    expect(b.status.state).toBe("refused");
    b.store.close();
    expect(existsSync(target)).toBe(false);
  });
});

describe("the marker keeps up with a running process", () => {
  /** Timers on the test's clock: `tick` moves it on and runs those due. */
  function fakeTimers(clock: { now: number }) {
    const due: { fn: () => void; at: number }[] = [];
    const timers: MarkerTimers = {
      set: (fn, ms) => {
        const t = { fn, at: clock.now + ms };
        due.push(t);
        return t;
      },
      clear: (t) => {
        const i = due.indexOf(t as (typeof due)[number]);
        if (i >= 0) due.splice(i, 1);
      },
    };
    const tick = (ms: number) => {
      clock.now += ms;
      for (const t of due.filter((t) => t.at <= clock.now)) {
        due.splice(due.indexOf(t), 1);
        t.fn();
      }
    };
    return { timers, tick, pending: () => due.length };
  }

  test("a change within the minute is written when the minute is up, though nothing changes after it; a change not yet written is written when the process stops", () => {
    const data = temp("salvage-keeper-timer");
    const path = join(data, "usage.sqlite");
    const { store } = openUsageStore({ path, roots: ["/r"], now: 0 });
    const clock = { now: 1_000_000 };
    const t = fakeTimers(clock);
    const keeper = new MarkerKeeper(store, () => clock.now, null, t.timers);
    keeper.flush();
    expect(readMarker(path)?.responses).toBe(0);
    store.onChange = () => keeper.note();
    t.tick(10_000);
    store.putEvents("/t/a.jsonl", eventsFrom(1));
    expect(readMarker(path)?.responses).toBe(0); // (within the minute)
    t.tick(MARKER_EVERY_MS - 10_000 - 1);
    expect(readMarker(path)?.responses).toBe(0);
    t.tick(1);
    expect(readMarker(path)?.responses).toBe(1); // (the minute is up: written, with no write after it)
    expect(t.pending()).toBe(0);
    t.tick(5_000);
    store.putEvents("/t/b.jsonl", eventsFrom(2));
    expect(readMarker(path)?.responses).toBe(1);
    keeper.stop();
    expect(readMarker(path)?.responses).toBe(2);
    expect(t.pending()).toBe(0);
    store.close();
  });

  /** Polls until `ok` (a process's work landed), at most `ms`. */
  async function until(ok: () => boolean, ms = 20_000): Promise<boolean> {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) return false;
      await Bun.sleep(50);
    }
    return true;
  }
  const stored = (path: string): number => {
    try {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        return (db.prepare("SELECT count(*) AS n FROM responses").get() as { n: number }).n;
      } finally {
        db.close();
      }
    } catch {
      return -1;
    }
  };
  const env = (m: Machine) => ({ ...process.env, HOME: m.home, XDG_DATA_HOME: m.xdg, CLAUDE_CONFIG_DIR: "", NO_COLOR: "1", TZ: "UTC" });

  test("--headless: what it took in its last minute is in the marker when it stops (SIGTERM)", async () => {
    const m = bare();
    const start = Date.now();
    const session = uuidFrom(rng(21));
    const file = join(m.dir, `${session}.jsonl`);
    writeFileSync(file, `${responsesOf(session, "h", 3, start - 30 * 60_000).join("\n")}\n`);
    const path = JSON.parse(run(m, ["--store-info", "--json", "--root", m.root, "--no-allowance"]).stdout).path as string;
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const p = Bun.spawn([BUN, "src/cli.ts", "--otlp", String(port), "--headless", "--root", m.root, "--no-allowance", "--interval", "0.2"], {
      cwd: REPO,
      env: env(m),
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      expect(await until(() => readMarker(path)?.responses === 3)).toBe(true);
      appendFileSync(file, `${responsesOf(session, "h2", 2, start - 10 * 60_000).join("\n")}\n`);
      expect(await until(() => stored(path) === 5)).toBe(true);
    } finally {
      p.kill("SIGTERM");
    }
    expect(await p.exited).toBe(143);
    expect(readMarker(path)?.responses).toBe(5);
  }, 60_000);

  const hasTmux = Bun.spawnSync(["tmux", "-V"], { stdout: "pipe", stderr: "pipe" }).exitCode === 0;
  test.skipIf(!hasTmux)(
    "the live dashboard: what it took in its last minute is in the marker when q quits it",
    async () => {
      const m = bare();
      const start = Date.now();
      const session = uuidFrom(rng(22));
      const file = join(m.dir, `${session}.jsonl`);
      writeFileSync(file, `${responsesOf(session, "l", 3, start - 30 * 60_000).join("\n")}\n`);
      const path = JSON.parse(run(m, ["--store-info", "--json", "--root", m.root, "--no-allowance"]).stdout).path as string;
      const e = env(m);
      const vars = ["HOME", "XDG_DATA_HOME", "NO_COLOR", "TZ"].map((k) => `${k}='${e[k as keyof typeof e]}'`).join(" ");
      const session_ = `claude-dash-marker-${process.pid}`;
      const tmux = (...args: string[]) => Bun.spawnSync(["tmux", ...args], { stdout: "pipe", stderr: "pipe" });
      tmux(
        "new-session",
        "-d",
        "-s",
        session_,
        "-x",
        "120",
        "-y",
        "40",
        "-c",
        REPO,
        `env ${vars} CLAUDE_CONFIG_DIR= ${BUN} src/cli.ts --backend ansi --root ${m.root} --no-allowance --interval 0.2`,
      );
      try {
        expect(await until(() => readMarker(path)?.responses === 3)).toBe(true);
        appendFileSync(file, `${responsesOf(session, "l2", 2, start - 10 * 60_000).join("\n")}\n`);
        expect(await until(() => stored(path) === 5)).toBe(true);
        tmux("send-keys", "-t", session_, "q");
        expect(await until(() => tmux("has-session", "-t", session_).exitCode !== 0)).toBe(true);
      } finally {
        tmux("kill-session", "-t", session_);
      }
      expect(readMarker(path)?.responses).toBe(5);
    },
    60_000,
  );
});
