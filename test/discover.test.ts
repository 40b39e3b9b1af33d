// Discovery (which transcript files exist under the roots), fileInfo (ids implied by a path) and
// resolveRoots (where the roots are), against real temp directories.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Discovery, fileInfo } from "../src/ingest/discover.ts";
import { resolveRoots } from "../src/ingest/roots.ts";

const SESSION = "3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f";
const SESSION2 = "b7e1d2c3-0a9f-4b8e-8d7c-6e5f4a3b2c1d";

let tmp = "";

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "claude-dash-discover-"));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Creates a file (and its parent directories) under tmp; returns its absolute path. */
function touch(rel: string, content = "{}\n"): string {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** Sets every directory under `root` to an old mtime, so any later change is visible as an mtime change
 *  whatever the filesystem's timestamp granularity. */
function ageDirs(root: string): void {
  const old = new Date("2020-01-01T00:00:00Z");
  const walk = (d: string): void => {
    fs.utimesSync(d, old, old);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(root);
}

const rel = (files: string[]): string[] => files.map((f) => path.relative(tmp, f));

describe("Discovery.scan", () => {
  test("finds main transcripts and subagent transcripts under projects/, sorted by path", () => {
    touch(`root/projects/-home-me-app/${SESSION}.jsonl`);
    touch(`root/projects/-home-me-app/${SESSION}/subagents/agent-a1b2c3d4e5f6a7b8c.jsonl`);
    touch(`root/projects/-home-me-app/${SESSION}/subagents/agent-acompact-946d2b.jsonl`);
    touch(`root/projects/-home-me-other/${SESSION2}.jsonl`);
    touch(`root/projects/-home-me-old/agent-aac57f5.jsonl`); // 2.0.x layout: agent file next to the session
    const files = new Discovery([path.join(tmp, "root")]).scan();
    expect(rel(files)).toEqual(
      [
        `root/projects/-home-me-app/${SESSION}.jsonl`,
        `root/projects/-home-me-app/${SESSION}/subagents/agent-a1b2c3d4e5f6a7b8c.jsonl`,
        `root/projects/-home-me-app/${SESSION}/subagents/agent-acompact-946d2b.jsonl`,
        `root/projects/-home-me-old/agent-aac57f5.jsonl`,
        `root/projects/-home-me-other/${SESSION2}.jsonl`,
      ].sort(),
    );
    expect(files.every((f) => path.isAbsolute(f))).toBe(true);
  });

  test("ignores files that are not .jsonl transcripts, and anything outside projects/", () => {
    touch(`root/projects/p/${SESSION}.jsonl`);
    touch(`root/projects/p/${SESSION}/subagents/agent-x.meta.json`, "{}");
    touch(`root/projects/p/${SESSION}/tool-results/toolu_01.txt`, "output");
    touch("root/projects/p/sessions-index.json", "{}");
    touch("root/projects/p/memory/notes.md", "# notes");
    touch("root/projects/p/old.jsonl.bak");
    touch("root/projects/p/jsonl");
    touch("root/history.jsonl"); // prompt history, not a transcript
    touch("root/transcripts/other.jsonl"); // third-party format, outside projects/
    const files = new Discovery([path.join(tmp, "root")]).scan();
    expect(rel(files)).toEqual([`root/projects/p/${SESSION}.jsonl`]);
  });

  test("a directory whose name ends in .jsonl is searched, not listed as a file", () => {
    touch(`root/projects/weird.jsonl/${SESSION}.jsonl`);
    const files = new Discovery([path.join(tmp, "root")]).scan();
    expect(rel(files)).toEqual([`root/projects/weird.jsonl/${SESSION}.jsonl`]);
  });

  test("a symlink loop (a directory link to its own ancestor) terminates and lists each file once", () => {
    touch(`root/projects/p/${SESSION}.jsonl`);
    touch(`root/projects/p/${SESSION}/subagents/agent-abc.jsonl`);
    fs.symlinkSync(path.join(tmp, "root/projects"), path.join(tmp, `root/projects/p/${SESSION}/subagents/loop`));
    fs.symlinkSync(path.join(tmp, "root/projects/p"), path.join(tmp, "root/projects/p/self"));
    const d = new Discovery([path.join(tmp, "root")]);
    const files = d.scan();
    expect(rel(files)).toEqual([`root/projects/p/${SESSION}.jsonl`, `root/projects/p/${SESSION}/subagents/agent-abc.jsonl`]);
    // and again, from the cache
    expect(rel(d.scan())).toEqual(rel(files));
  });

  test("a symlinked project directory outside the tree is followed", () => {
    touch(`elsewhere/${SESSION}.jsonl`);
    fs.mkdirSync(path.join(tmp, "root/projects"), { recursive: true });
    fs.symlinkSync(path.join(tmp, "elsewhere"), path.join(tmp, "root/projects/linked"));
    const files = new Discovery([path.join(tmp, "root")]).scan();
    expect(rel(files)).toEqual([`root/projects/linked/${SESSION}.jsonl`]);
  });

  test("a dangling symlink is skipped without error", () => {
    touch(`root/projects/p/${SESSION}.jsonl`);
    fs.symlinkSync(path.join(tmp, "nowhere"), path.join(tmp, "root/projects/p/dangling"));
    const d = new Discovery([path.join(tmp, "root")]);
    expect(rel(d.scan())).toEqual([`root/projects/p/${SESSION}.jsonl`]);
    expect(d.problems.size).toBe(0);
  });

  test("two roots: files from both are listed", () => {
    touch(`a/projects/p/${SESSION}.jsonl`);
    touch(`b/projects/q/${SESSION2}.jsonl`);
    const files = new Discovery([path.join(tmp, "a"), path.join(tmp, "b")]).scan();
    expect(rel(files)).toEqual([`a/projects/p/${SESSION}.jsonl`, `b/projects/q/${SESSION2}.jsonl`]);
  });

  test("two roots that are the same directory (one via a symlink) list each file once", () => {
    touch(`a/projects/p/${SESSION}.jsonl`);
    fs.symlinkSync(path.join(tmp, "a"), path.join(tmp, "alias"));
    const files = new Discovery([path.join(tmp, "a"), path.join(tmp, "alias")]).scan();
    expect(files.length).toBe(1);
  });

  test("a root that does not exist (or has no projects/) is skipped quietly; the other root still works", () => {
    touch(`real/projects/p/${SESSION}.jsonl`);
    fs.mkdirSync(path.join(tmp, "empty"));
    const d = new Discovery([path.join(tmp, "missing"), path.join(tmp, "empty"), path.join(tmp, "real")]);
    expect(rel(d.scan())).toEqual([`real/projects/p/${SESSION}.jsonl`]);
    expect(d.problems.size).toBe(0);
  });

  test("no roots at all gives an empty list", () => {
    expect(new Discovery([]).scan()).toEqual([]);
  });

  test("a second scan finds new files, in an existing directory and inside a brand-new subdirectory", () => {
    touch(`root/projects/p/${SESSION}.jsonl`);
    touch(`root/projects/p/${SESSION}/subagents/agent-one.jsonl`);
    ageDirs(path.join(tmp, "root"));
    const d = new Discovery([path.join(tmp, "root")]);
    expect(d.scan().length).toBe(2);

    touch(`root/projects/p/${SESSION2}.jsonl`); // existing directory
    touch(`root/projects/p/${SESSION}/subagents/agent-two.jsonl`); // existing nested directory
    touch(`root/projects/new-project/${SESSION2}/subagents/agent-three.jsonl`); // brand-new tree
    // (in path order within a directory, its files before its subdirectories')
    expect(rel(d.scan())).toEqual([
      `root/projects/new-project/${SESSION2}/subagents/agent-three.jsonl`,
      `root/projects/p/${SESSION}.jsonl`,
      `root/projects/p/${SESSION2}.jsonl`,
      `root/projects/p/${SESSION}/subagents/agent-one.jsonl`,
      `root/projects/p/${SESSION}/subagents/agent-two.jsonl`,
    ]);
  });

  test("a root that appears after the first scan is picked up by a later scan", () => {
    const d = new Discovery([path.join(tmp, "late")]);
    expect(d.scan()).toEqual([]);
    touch(`late/projects/p/${SESSION}.jsonl`);
    expect(rel(d.scan())).toEqual([`late/projects/p/${SESSION}.jsonl`]);
  });

  test("files and directories that vanished are gone on the next scan", () => {
    touch(`root/projects/p/${SESSION}.jsonl`);
    touch(`root/projects/p/${SESSION2}.jsonl`);
    touch(`root/projects/q/${SESSION}/subagents/agent-x.jsonl`);
    ageDirs(path.join(tmp, "root"));
    const d = new Discovery([path.join(tmp, "root")]);
    expect(d.scan().length).toBe(3);
    fs.unlinkSync(path.join(tmp, `root/projects/p/${SESSION2}.jsonl`));
    fs.rmSync(path.join(tmp, "root/projects/q"), { recursive: true });
    expect(rel(d.scan())).toEqual([`root/projects/p/${SESSION}.jsonl`]);
  });

  test("a file created within the same timestamp tick as the previous scan (directory mtime unchanged) is still found by the next scan", () => {
    // On filesystems with coarse timestamps (1 s on HFS+/some NFS, a few ms on older Linux kernels) a file
    // created right after a scan can leave the directory's mtime exactly as the scan saw it. Simulate that by
    // pinning the directory mtime to a whole second "now" before and after the change.
    const dir = path.join(tmp, "root/projects/p");
    touch(`root/projects/p/${SESSION}.jsonl`);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    fs.utimesSync(dir, now, now);
    const d = new Discovery([path.join(tmp, "root")]);
    expect(d.scan().length).toBe(1);
    touch(`root/projects/p/${SESSION2}.jsonl`);
    fs.utimesSync(dir, now, now);
    expect(rel(d.scan())).toEqual([`root/projects/p/${SESSION}.jsonl`, `root/projects/p/${SESSION2}.jsonl`]);
  });

  test.skipIf(process.getuid?.() === 0)("a directory that cannot be read is reported in problems and the rest is still listed", () => {
    touch(`root/projects/ok/${SESSION}.jsonl`);
    touch(`root/projects/locked/${SESSION2}.jsonl`);
    fs.chmodSync(path.join(tmp, "root/projects/locked"), 0o000);
    try {
      const d = new Discovery([path.join(tmp, "root")]);
      expect(rel(d.scan())).toEqual([`root/projects/ok/${SESSION}.jsonl`]);
      expect(d.problems.has(path.join(tmp, "root/projects/locked"))).toBe(true);
    } finally {
      fs.chmodSync(path.join(tmp, "root/projects/locked"), 0o755);
    }
  });
});

describe("fileInfo", () => {
  test("a main transcript <uuid>.jsonl: session id from the file name, no agent", () => {
    const p = `/home/me/.claude/projects/-home-me-app/${SESSION}.jsonl`;
    expect(fileInfo(p)).toEqual({ path: p, sessionId: SESSION, agentId: null });
  });

  test("a subagent transcript <uuid>/subagents/agent-<id>.jsonl: session id from the folder, agent id from the name", () => {
    const p = `/home/me/.claude/projects/-home-me-app/${SESSION}/subagents/agent-ad3cc42681e554516.jsonl`;
    expect(fileInfo(p)).toEqual({ path: p, sessionId: SESSION, agentId: "ad3cc42681e554516" });
  });

  test("a compaction agent file keeps the whole suffix as the agent id", () => {
    const p = `/r/projects/x/${SESSION}/subagents/agent-acompact-946d2b.jsonl`;
    expect(fileInfo(p)).toEqual({ path: p, sessionId: SESSION, agentId: "acompact-946d2b" });
  });

  test("a 2.0.x agent file next to the session files has an agent id but no session id from the path", () => {
    const p = "/r/projects/x/agent-aac57f5.jsonl";
    expect(fileInfo(p)).toEqual({ path: p, sessionId: null, agentId: "aac57f5" });
  });

  test("a workflow agent file under <uuid>/subagents/workflows/wf_<run>/ takes the session id of the folder above subagents", () => {
    const p = `/r/projects/x/${SESSION}/subagents/workflows/wf_123/agent-a0f.jsonl`;
    expect(fileInfo(p)).toEqual({ path: p, sessionId: SESSION, agentId: "a0f" });
  });

  test("a file named just .jsonl has no session id", () => {
    expect(fileInfo("/r/projects/x/.jsonl").sessionId).toBeNull();
  });
});

describe("resolveRoots", () => {
  const home = "/home/me";

  test("defaults to ~/.claude and ~/.config/claude", () => {
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: undefined, home })).toEqual(["/home/me/.claude", "/home/me/.config/claude"]);
  });

  test("an empty or blank CLAUDE_CONFIG_DIR means the defaults", () => {
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: "", home })).toEqual(["/home/me/.claude", "/home/me/.config/claude"]);
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: "   ", home })).toEqual(["/home/me/.claude", "/home/me/.config/claude"]);
  });

  test("CLAUDE_CONFIG_DIR replaces the defaults", () => {
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: "/logs/agent/sessions", home })).toEqual(["/logs/agent/sessions"]);
  });

  test("CLAUDE_CONFIG_DIR is a comma list: spaces trimmed, empty entries dropped, order kept", () => {
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: " /a/one , ,/b/two,, /c/three ,", home })).toEqual(["/a/one", "/b/two", "/c/three"]);
  });

  test("a CLAUDE_CONFIG_DIR with only commas and spaces falls back to the defaults instead of watching nothing", () => {
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: " , ,", home })).toEqual(["/home/me/.claude", "/home/me/.config/claude"]);
  });

  test("a CLAUDE_CONFIG_DIR that is an existing directory with commas in its name is that one directory", () => {
    const dir = path.join(tmp, "cfg,with,commas");
    fs.mkdirSync(dir, { recursive: true });
    const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: dir, home: "/h", isDir })).toEqual([dir]);
    // otherwise a comma list, as before
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: "/a,/b", home: "/h", isDir })).toEqual(["/a", "/b"]);
  });

  test("--root replaces both CLAUDE_CONFIG_DIR and the defaults, in the order given", () => {
    expect(resolveRoots({ flagRoots: ["/x", "/y"], claudeConfigDir: "/a,/b", home })).toEqual(["/x", "/y"]);
  });

  test("~ and ~/ are expanded to the home directory, in --root and in CLAUDE_CONFIG_DIR", () => {
    expect(resolveRoots({ flagRoots: ["~", "~/work/.claude"], claudeConfigDir: undefined, home })).toEqual(["/home/me", "/home/me/work/.claude"]);
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: "~/.claude-work, ~/.claude", home })).toEqual(["/home/me/.claude-work", "/home/me/.claude"]);
  });

  test("~ is only expanded at the start of a path", () => {
    expect(resolveRoots({ flagRoots: ["/data/~/x"], claudeConfigDir: undefined, home })).toEqual(["/data/~/x"]);
  });

  test("relative paths become absolute (against the current directory)", () => {
    expect(resolveRoots({ flagRoots: ["rel/dir"], claudeConfigDir: undefined, home })).toEqual([path.resolve("rel/dir")]);
  });

  test("duplicates are removed after expansion and normalisation, keeping the first", () => {
    expect(
      resolveRoots({ flagRoots: ["/home/me/.claude", "~/.claude", "/home/me/.claude/", "/home/me/x/../.claude", "/other"], claudeConfigDir: undefined, home }),
    ).toEqual(["/home/me/.claude", "/other"]);
    expect(resolveRoots({ flagRoots: [], claudeConfigDir: "/a,/a, /a/", home })).toEqual(["/a"]);
  });
});
