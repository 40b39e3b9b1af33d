// `claude-dash statusline --install` (src/ingest/claude-settings.ts) edits a file the user keeps by hand: it adds one
// member, or with --force replaces one value, and every other byte stays. Checked on real files in temp directories:
// odd indentation, tabs, CRLF, a byte-order mark, unicode, escaped quotes and "statusLine" inside other values; the
// refusals (a statusLine already there, a file that is not a JSON object) write nothing, not even a backup; a missing
// file or directory is made; a symbolic link stays one; the backup is the old file byte for byte.
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import {
  claudeConfigDir,
  claudeSettingsPath,
  installStatusline,
  shellQuote,
  stamp,
  statuslineCommand,
  statuslineSnippet,
} from "../src/ingest/claude-settings.ts";
import { tempDirs } from "./builders.ts";

const temp = tempDirs();
const NOW = Date.parse("2026-11-20T15:37:09Z");
const CMD = "claude-dash statusline";
const VALUE = { type: "command", command: CMD, padding: 0 };
const ROOT = typeof process.getuid === "function" && process.getuid() === 0;

/** A settings.json holding `text` in a new temp directory. */
function settingsWith(text: string | Buffer): { dir: string; path: string } {
  const dir = temp("settings");
  const path = join(dir, "settings.json");
  writeFileSync(path, text);
  return { dir, path };
}

const install = (path: string, o: { write?: boolean; force?: boolean; command?: string } = {}) =>
  installStatusline({ settingsPath: path, command: o.command ?? CMD, write: o.write ?? true, force: o.force ?? false, now: NOW });

/** The text inserted, when `after` is `before` with one piece added somewhere (else null). */
function insertionOf(before: string, after: string): string | null {
  let p = 0;
  while (p < before.length && before[p] === after[p]) p++;
  const rest = before.length - p;
  if (after.slice(after.length - rest) !== before.slice(p)) return null;
  return after.slice(p, after.length - rest);
}

const parse = (path: string) => JSON.parse(readFileSync(path, "utf8").replace(/^\uFEFF/, "")) as Record<string, unknown>;

describe("claudeConfigDir", () => {
  const home = "/home/u";
  test("~/.claude without CLAUDE_CONFIG_DIR, or when it is blank", () => {
    expect(claudeConfigDir({}, home)).toBe("/home/u/.claude");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "" }, home)).toBe("/home/u/.claude");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "  " }, home)).toBe("/home/u/.claude");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: " , " }, home)).toBe("/home/u/.claude");
  });
  test("CLAUDE_CONFIG_DIR: as given, ~/ expanded, the first entry of a list", () => {
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "/etc/claude" }, home)).toBe("/etc/claude");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "~/work/.claude" }, home)).toBe("/home/u/work/.claude");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "~" }, home)).toBe("/home/u");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: " /a/one , /b/two" }, home)).toBe("/a/one");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "~/x,/b" }, home)).toBe("/home/u/x");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: ",/b" }, home)).toBe("/b");
  });
  test("a directory whose name has commas is that one path (as the transcript roots read it)", () => {
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "/a,b" }, home, (p) => p === "/a,b")).toBe("/a,b");
    expect(claudeConfigDir({ CLAUDE_CONFIG_DIR: "/a,b" }, home, () => false)).toBe("/a");
  });
  test("settings.json inside it", () => {
    expect(claudeSettingsPath({ CLAUDE_CONFIG_DIR: "/c" }, home)).toBe("/c/settings.json");
    expect(claudeSettingsPath({}, home)).toBe("/home/u/.claude/settings.json");
  });
  test("installs into the directory CLAUDE_CONFIG_DIR names", () => {
    const dir = temp("config-dir");
    const path = claudeSettingsPath({ CLAUDE_CONFIG_DIR: `${join(dir, "cfg")},/elsewhere` }, "/nonexistent-home");
    const r = install(path);
    expect(r.ok).toBe(true);
    expect(parse(join(dir, "cfg", "settings.json"))).toEqual({ statusLine: VALUE });
  });
});

describe("statuslineCommand", () => {
  const base = { execPath: "/usr/local/bin/bun", script: "/opt/claude-dash/src/cli.ts", compiled: false };
  test("the plain name when an executable claude-dash is on PATH", () => {
    const seen: string[] = [];
    const isExecutable = (p: string) => (seen.push(p), p === "/usr/local/bin/claude-dash");
    expect(statuslineCommand({ ...base, pathEnv: "/usr/bin:/usr/local/bin", isExecutable })).toBe("claude-dash statusline");
    expect(seen).toEqual(["/usr/bin/claude-dash", "/usr/local/bin/claude-dash"]);
  });
  test("absolute paths otherwise: the script run by this runtime, or the compiled binary alone", () => {
    const none = () => false;
    expect(statuslineCommand({ ...base, pathEnv: "/usr/bin", isExecutable: none })).toBe("/usr/local/bin/bun /opt/claude-dash/src/cli.ts statusline");
    expect(statuslineCommand({ ...base, pathEnv: undefined, isExecutable: none })).toBe("/usr/local/bin/bun /opt/claude-dash/src/cli.ts statusline");
    expect(statuslineCommand({ execPath: "/opt/claude-dash", script: "/$bunfs/root/claude-dash", compiled: true, pathEnv: "", isExecutable: none })).toBe(
      "/opt/claude-dash statusline",
    );
    // (no script known: the name is all there is)
    expect(statuslineCommand({ ...base, script: null, pathEnv: "", isExecutable: none })).toBe("claude-dash statusline");
  });
  test("empty and relative PATH entries are not looked in (Claude Code runs it from anywhere)", () => {
    const isExecutable = (p: string) => !p.startsWith("/");
    expect(statuslineCommand({ ...base, pathEnv: ":bin:./tools", isExecutable })).toBe("/usr/local/bin/bun /opt/claude-dash/src/cli.ts statusline");
  });
  test("paths with spaces and quotes are single-quoted, and the shell reads them back exactly", () => {
    const cmd = statuslineCommand({
      execPath: "/Users/Jo Smith/.bun/bin/bun",
      script: "/Users/Jo Smith/it's $HOME/cli.ts",
      compiled: false,
      pathEnv: "",
      isExecutable: () => false,
    });
    expect(cmd).toBe(`'/Users/Jo Smith/.bun/bin/bun' '/Users/Jo Smith/it'\\''s $HOME/cli.ts' statusline`);
    for (const s of ["plain/path", "a b", "it's", '$HOME `x` "q" \\ ; & | * ? ~ ! # ( ) < >', "ünï 😀", "", "-", "''"]) {
      const out = spawnSync("sh", ["-c", `printf '%s' ${shellQuote(s)}`], { encoding: "utf8" });
      expect(out.stdout).toBe(s);
    }
  });
  test("with the real file system: an executable file counts, a plain file or a directory does not", () => {
    const dir = temp("path");
    const bin = join(dir, "bin");
    const other = join(dir, "other");
    mkdirSync(bin);
    mkdirSync(other);
    mkdirSync(join(other, "claude-dash"));
    writeFileSync(join(bin, "claude-dash"), "#!/bin/sh\n");
    chmodSync(join(bin, "claude-dash"), 0o644);
    const o = { ...base, pathEnv: `${other}:${bin}` };
    expect(statuslineCommand(o)).toBe("/usr/local/bin/bun /opt/claude-dash/src/cli.ts statusline");
    chmodSync(join(bin, "claude-dash"), 0o755);
    expect(statuslineCommand(o)).toBe("claude-dash statusline");
  });
});

describe("statuslineSnippet", () => {
  test("the statusLine object Claude Code documents, two-space indented", () => {
    expect(statuslineSnippet(CMD)).toBe('{\n  "statusLine": {\n    "type": "command",\n    "command": "claude-dash statusline",\n    "padding": 0\n  }\n}');
    expect(JSON.parse(statuslineSnippet(`'/a b/bun' "x" \\ \u0085`))).toEqual({
      statusLine: { type: "command", command: `'/a b/bun' "x" \\ \u0085`, padding: 0 },
    });
    // (a character a terminal acts on is escaped in the printed JSON, never raw)
    expect(statuslineSnippet("a\u0085\u202eb")).toContain("a\\u0085\\u202eb");
  });
});

describe("without --write", () => {
  test("shows the file, the snippet and how to write it; writes nothing", () => {
    const before = '{\n  "model": "opus"\n}\n';
    const { dir, path } = settingsWith(before);
    const r = install(path, { write: false });
    if (!r.ok) throw new Error(r.message);
    expect(r.wrote).toBe(false);
    expect(r.backup).toBeNull();
    expect(r.text).toContain(path);
    expect(r.text).toContain(statuslineSnippet(CMD));
    expect(r.text).toContain("claude-dash statusline --install --write");
    expect(r.text).not.toContain("--force");
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });
  test("says a statusLine is already there, and that --force replaces it", () => {
    const { dir, path } = settingsWith('{"statusLine": {"type": "command", "command": "~/bin/my-line.sh"}}');
    const r = install(path, { write: false });
    if (!r.ok) throw new Error(r.message);
    expect(r.text).toContain("~/bin/my-line.sh");
    expect(r.text).toContain("--force");
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });
  test("a missing file or directory is not made, and a file that is not JSON is only described", () => {
    const dir = temp("dry");
    const r = install(join(dir, "nested", "settings.json"), { write: false });
    if (!r.ok) throw new Error(r.message);
    expect(r.text).toContain("does not exist yet");
    expect(readdirSync(dir)).toEqual([]);
    const bad = settingsWith("not json");
    const r2 = install(bad.path, { write: false });
    if (!r2.ok) throw new Error(r2.message);
    expect(r2.text).toContain("not a JSON object");
    expect(readFileSync(bad.path, "utf8")).toBe("not json");
  });
});

describe("--write adds one member and changes no other byte", () => {
  const cases: { name: string; before: string; inserted: string }[] = [
    {
      name: "four-space indentation, its key order, unicode, escapes and statusLine inside other values",
      before: `{
    "zeta": "ünïcödé 😀 \\u00e9 \\"quoted\\" \\\\ {not: [an, object]}",
    "env": {"statusLine": "not the top level", "X": "a\\"}, \\"statusLine\\": 1"},
    "hooks"  :   [ { "statusLine" : { "type": "command" } }, [[]], "]}" ],
    "statusLineLike": null,
    "n": -1.5e+3,
    "alpha": true
}
`,
      inserted: `,\n    "statusLine": {\n        "type": "command",\n        "command": "claude-dash statusline",\n        "padding": 0\n    }`,
    },
    {
      name: "tabs",
      before: '{\n\t"model": "opus",\n\t"permissions": {\n\t\t"allow": ["Bash(ls:*)"]\n\t}\n}',
      inserted: `,\n\t"statusLine": {\n\t\t"type": "command",\n\t\t"command": "claude-dash statusline",\n\t\t"padding": 0\n\t}`,
    },
    {
      name: "CRLF line ends",
      before: '{\r\n  "model": "opus"\r\n}\r\n',
      inserted: `,\r\n  "statusLine": {\r\n    "type": "command",\r\n    "command": "claude-dash statusline",\r\n    "padding": 0\r\n  }`,
    },
    {
      name: "a byte-order mark, members at column 0",
      before: '\uFEFF{\n"model": "opus"\n}\n',
      inserted: `,\n  "statusLine": {\n    "type": "command",\n    "command": "claude-dash statusline",\n    "padding": 0\n  }`,
    },
    {
      name: "all on one line",
      before: '{"model":"opus","env":{"A":"}"}}',
      inserted: ', "statusLine": {"type": "command", "command": "claude-dash statusline", "padding": 0}',
    },
    {
      name: "the closing brace on the last member's line",
      before: '{\n  "a": [1,\n    2]}',
      inserted: `,\n  "statusLine": {\n    "type": "command",\n    "command": "claude-dash statusline",\n    "padding": 0\n  }`,
    },
    {
      name: "a __proto__ key and a key spelled with escapes",
      before: '{\n  "__proto__": {"x": 1},\n  "stat\\u0075s": 2\n}\n',
      inserted: `,\n  "statusLine": {\n    "type": "command",\n    "command": "claude-dash statusline",\n    "padding": 0\n  }`,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { dir, path } = settingsWith(c.before);
      const old = JSON.parse(c.before.replace(/^\uFEFF/, "")) as Record<string, unknown>;
      const r = install(path);
      if (!r.ok) throw new Error(r.message);
      expect(r.wrote).toBe(true);
      const after = readFileSync(path, "utf8");
      expect(insertionOf(c.before, after)).toBe(c.inserted);
      const now = parse(path);
      expect(now.statusLine).toEqual(VALUE);
      for (const k of Object.keys(old)) expect(now[k]).toEqual(old[k]);
      expect(r.backup).toBe(`${path}.claude-dash-backup`);
      expect(readFileSync(r.backup!, "utf8")).toBe(c.before);
      expect(readdirSync(dir).sort()).toEqual(["settings.json", "settings.json.claude-dash-backup"]);
    });
  }

  test("an empty object, in each spelling", () => {
    const member = `"statusLine": {\n    "type": "command",\n    "command": "claude-dash statusline",\n    "padding": 0\n  }`;
    for (const [before, after] of [
      ["{}", `{\n  ${member}\n}`],
      ["{}\n", `{\n  ${member}\n}\n`],
      ["{\n}", `{\n  ${member}\n}`],
      ["{\n}\n", `{\n  ${member}\n}\n`],
      ["  { }  \n", `  {\n  ${member}\n }  \n`],
    ] as const) {
      const { path } = settingsWith(before);
      const r = install(path);
      if (!r.ok) throw new Error(r.message);
      expect(readFileSync(path, "utf8")).toBe(after);
      expect(parse(path)).toEqual({ statusLine: VALUE });
    }
  });

  test("deeply nested values elsewhere are stepped over, not recursed into", () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const before = `{\n  "deep": ${deep},\n  "s": "x"\n}\n`;
    const { path } = settingsWith(before);
    const r = install(path);
    if (!r.ok) throw new Error(r.message);
    expect(insertionOf(before, readFileSync(path, "utf8"))).toStartWith(',\n  "statusLine": {');
  });

  test("the file's mode is kept; the backup is 0600", () => {
    const { path } = settingsWith('{"a": 1}');
    chmodSync(path, 0o640);
    const r = install(path);
    if (!r.ok) throw new Error(r.message);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(statSync(r.backup!).mode & 0o777).toBe(0o600);
  });

  test("a command that needs escaping in JSON goes in escaped, and reads back as given", () => {
    const command = `'/Users/Jo "J" Smith/bun' '/a\\b/cli.ts' statusline`;
    const { path } = settingsWith('{"a": 1}');
    const r = install(path, { command });
    if (!r.ok) throw new Error(r.message);
    expect(parse(path).statusLine).toEqual({ type: "command", command, padding: 0 });
  });
});

describe("a statusLine already there", () => {
  const before = `{
  "model": "opus",
  "env": { "statusLine": "nested, untouched" },
  "statusLine":   {"type": "command", "command": "~/bin/line.sh", "padding": 2},
  "after": ["statusLine", {"statusLine": {}}]
}
`;
  test("without --force: refused in one line naming --force and the current command; nothing written, no backup", () => {
    const { dir, path } = settingsWith(before);
    const r = install(path);
    if (r.ok) throw new Error("expected a refusal");
    expect(r.code).toBe(1);
    expect(r.message).toContain("--force");
    expect(r.message).toContain("~/bin/line.sh");
    expect(r.message).not.toContain("\n");
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });

  test("the current command is shown cleaned of control characters and cut short", () => {
    const evil = `\u001b]0;pwned\u0007${"x".repeat(500)}`;
    const { path } = settingsWith(JSON.stringify({ statusLine: { type: "command", command: evil } }));
    const r = install(path);
    if (r.ok) throw new Error("expected a refusal");
    expect(r.message).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(r.message.length).toBeLessThan(400);
    expect(r.message).toContain("…");
  });

  test("with --force: only that value's span changes, and the backup is the old file", () => {
    const { path } = settingsWith(before);
    const r = install(path, { force: true });
    if (!r.ok) throw new Error(r.message);
    const after = readFileSync(path, "utf8");
    const old = '{"type": "command", "command": "~/bin/line.sh", "padding": 2}';
    const at = before.indexOf(old);
    expect(after.slice(0, at)).toBe(before.slice(0, at));
    expect(after.endsWith(before.slice(at + old.length))).toBe(true);
    expect(after.slice(at, after.length - (before.length - at - old.length))).toBe(
      '{\n    "type": "command",\n    "command": "claude-dash statusline",\n    "padding": 0\n  }',
    );
    expect(parse(path)).toEqual({ ...(JSON.parse(before) as object), statusLine: VALUE });
    expect(readFileSync(r.backup!, "utf8")).toBe(before);
  });

  test("the same status line already: nothing to do, nothing written", () => {
    const text = `{"statusLine": ${JSON.stringify(VALUE)}}`;
    const { dir, path } = settingsWith(text);
    const r = install(path);
    if (!r.ok) throw new Error(r.message);
    expect(r.wrote).toBe(false);
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });

  test("a key given twice: with --force both values are replaced", () => {
    const text = '{"statusLine": 1, "a": 2, "statusLine": {"command": "x"}}';
    const { path } = settingsWith(text);
    const r = install(path, { force: true });
    if (!r.ok) throw new Error(r.message);
    const v = '{"type": "command", "command": "claude-dash statusline", "padding": 0}';
    expect(readFileSync(path, "utf8")).toBe(`{"statusLine": ${v}, "a": 2, "statusLine": ${v}}`);
  });
});

describe("a missing file", () => {
  test("is created with just the snippet, 0600, and no backup", () => {
    const dir = temp("missing");
    const path = join(dir, "settings.json");
    const r = install(path);
    if (!r.ok) throw new Error(r.message);
    expect(r).toMatchObject({ wrote: true, backup: null });
    expect(r.text).toContain("no backup");
    expect(readFileSync(path, "utf8")).toBe(`${statuslineSnippet(CMD)}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });
  test("in a missing directory: the directories are made, 0700", () => {
    const dir = temp("missing-dir");
    const path = join(dir, "a", ".claude", "settings.json");
    const r = install(path);
    if (!r.ok) throw new Error(r.message);
    expect(parse(path)).toEqual({ statusLine: VALUE });
    expect(statSync(join(dir, "a", ".claude")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o700);
  });
});

describe("refused, writing nothing", () => {
  for (const [name, text] of [
    ["not JSON", "model = opus\n"],
    ["JSON with comments", '{\n  // mine\n  "a": 1\n}'],
    ["a trailing comma", '{"a": 1,}'],
    ["an array", "[1, 2]"],
    ["null", "null"],
    ["a string", '"{}"'],
    ["empty", ""],
  ] as const) {
    test(`a file that is ${name}`, () => {
      const { dir, path } = settingsWith(text);
      const r = install(path, { force: true });
      if (r.ok) throw new Error("expected a refusal");
      expect(r.code).toBe(1);
      expect(r.message).toContain(path);
      expect(r.message).toContain("not a JSON object");
      expect(r.message).not.toContain("\n");
      expect(readFileSync(path, "utf8")).toBe(text);
      expect(readdirSync(dir)).toEqual(["settings.json"]);
    });
  }
  test("a file that is not UTF-8 (it would not come back byte for byte)", () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const { dir, path } = settingsWith(bytes);
    const r = install(path);
    expect(r.ok).toBe(false);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });
  test("a path that is not a settings.json, or a link to credentials", () => {
    const dir = temp("not-settings");
    writeFileSync(join(dir, ".credentials.json"), '{"token": "s"}');
    expect(install(join(dir, ".credentials.json")).ok).toBe(false);
    symlinkSync(".credentials.json", join(dir, "settings.json"));
    const r = install(join(dir, "settings.json"));
    expect(r.ok).toBe(false);
    expect(readFileSync(join(dir, ".credentials.json"), "utf8")).toBe('{"token": "s"}');
    expect(readdirSync(dir).sort()).toEqual([".credentials.json", "settings.json"]);
  });
  test("a file-system error: one line, no stack, nothing left behind", () => {
    const dir = temp("fs-error");
    writeFileSync(join(dir, "blocker"), "a file where a directory should be");
    const r = install(join(dir, "blocker", "settings.json"));
    if (r.ok) throw new Error("expected a refusal");
    expect(r.code).toBe(1);
    expect(r.message).not.toContain("\n");
    expect(r.message).not.toContain("    at ");
    expect(readdirSync(dir)).toEqual(["blocker"]);
  });
  test("a dangling symbolic link", () => {
    const dir = temp("dangling");
    symlinkSync(join(dir, "gone.json"), join(dir, "settings.json"));
    const r = install(join(dir, "settings.json"));
    if (r.ok) throw new Error("expected a refusal");
    expect(r.message).toContain("symbolic link");
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });
  test.skipIf(ROOT)("a read-only file is left alone, and a directory that cannot be written leaves no backup", () => {
    const { dir, path } = settingsWith('{"a": 1}');
    chmodSync(path, 0o444);
    expect(install(path).ok).toBe(false);
    expect(readdirSync(dir)).toEqual(["settings.json"]);
    chmodSync(path, 0o644);
    chmodSync(dir, 0o555);
    try {
      expect(install(path).ok).toBe(false);
      expect(readdirSync(dir)).toEqual(["settings.json"]);
      expect(readFileSync(path, "utf8")).toBe('{"a": 1}');
    } finally {
      chmodSync(dir, 0o755);
    }
  });
  test.skipIf(ROOT)("a link whose target's directory cannot be written: the backup made beside the link is removed again", () => {
    const dir = temp("link-ro");
    mkdirSync(join(dir, "dotfiles"));
    writeFileSync(join(dir, "dotfiles", "settings.json"), '{"a": 1}');
    mkdirSync(join(dir, ".claude"));
    symlinkSync(join(dir, "dotfiles", "settings.json"), join(dir, ".claude", "settings.json"));
    chmodSync(join(dir, "dotfiles"), 0o555);
    try {
      const r = install(join(dir, ".claude", "settings.json"));
      if (r.ok) throw new Error("expected a refusal");
      expect(r.message).not.toContain("\n");
      expect(readdirSync(join(dir, ".claude"))).toEqual(["settings.json"]);
      expect(readdirSync(join(dir, "dotfiles"))).toEqual(["settings.json"]);
      expect(readFileSync(join(dir, "dotfiles", "settings.json"), "utf8")).toBe('{"a": 1}');
    } finally {
      chmodSync(join(dir, "dotfiles"), 0o755);
    }
  });
});

describe("a symbolic link at settings.json", () => {
  test("stays a link; its target is written; the backup sits beside the link", () => {
    const dir = temp("symlink");
    const dotfiles = join(dir, "dotfiles", "claude");
    const claude = join(dir, ".claude");
    mkdirSync(dotfiles, { recursive: true });
    mkdirSync(claude);
    const target = join(dotfiles, "settings.json");
    const before = '{\n  "model": "opus"\n}\n';
    writeFileSync(target, before);
    chmodSync(target, 0o644);
    const link = join(claude, "settings.json");
    symlinkSync("../dotfiles/claude/settings.json", link);
    const r = install(link);
    if (!r.ok) throw new Error(r.message);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe("../dotfiles/claude/settings.json");
    expect(parse(target)).toEqual({ model: "opus", statusLine: VALUE });
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(r.backup).toBe(`${link}.claude-dash-backup`);
    expect(readFileSync(r.backup!, "utf8")).toBe(before);
    expect(readdirSync(dotfiles)).toEqual(["settings.json"]);
    expect(r.text).toContain("symbolic link");
  });
});

describe("the backup's name", () => {
  test("settings.json.claude-dash-backup, then one named by the time, then numbered", () => {
    const { path } = settingsWith('{"a": 1}');
    writeFileSync(`${path}.claude-dash-backup`, "an older backup");
    const r1 = install(path);
    if (!r1.ok) throw new Error(r1.message);
    expect(r1.backup).toBe(`${path}.claude-dash-backup-${stamp(NOW)}`);
    expect(readFileSync(r1.backup!, "utf8")).toBe('{"a": 1}');
    expect(readFileSync(`${path}.claude-dash-backup`, "utf8")).toBe("an older backup");
    const r2 = install(path, { force: true, command: "other statusline" });
    if (!r2.ok) throw new Error(r2.message);
    expect(r2.backup).toBe(`${path}.claude-dash-backup-${stamp(NOW)}-2`);
    expect(existsSync(r2.backup!)).toBe(true);
  });
  test("the stamp is YYYYMMDDHHMMSS in local time", () => {
    const d = new Date(NOW);
    expect(stamp(NOW)).toMatch(/^\d{14}$/);
    expect(stamp(NOW).slice(0, 4)).toBe(String(d.getFullYear()));
    expect(stamp(NOW).slice(12)).toBe(String(d.getSeconds()).padStart(2, "0"));
  });
});
