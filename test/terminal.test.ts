// The live dashboard in a real terminal (tmux): exit codes as a shell expects them (q 0, Ctrl-C 130, SIGTERM 143),
// Ctrl-Z gives the terminal back (cooked mode, echo) and `fg` brings the dashboard back, and on both backends hostile
// input (a lone 0x83, 0xF1, an "ă" split across two writes, seeded storms of bytes, escape sequences and mouse
// reports, a paste that never ends) neither ends nor hangs it: it still answers keys, and q exits 0 with the
// terminal restored; and a Ctrl-C or Ctrl-Z inside a long paste never hands the rest of that paste to the shell.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDirs } from "./builders.ts";
import { mulberry32, stormChunk } from "./storm.ts";

const REPO = resolve(import.meta.dir, "..");
const hasTmux = Bun.spawnSync(["tmux", "-V"], { stdout: "pipe", stderr: "pipe" }).exitCode === 0;
if (!hasTmux && process.env.CI !== "true") console.log("skipped: the real-terminal tests need tmux");
const SESSION = `claude-dash-term-${process.pid}`;
const temp = tempDirs();

const tmux = (...args: string[]) => Bun.spawnSync(["tmux", ...args], { stdout: "pipe", stderr: "pipe" }).stdout.toString();
const screen = () => tmux("capture-pane", "-t", SESSION, "-p");
const keys = (...k: string[]) => tmux("send-keys", "-t", SESSION, ...k);
/** Raw bytes to the dashboard, in one write. */
const bytes = (b: number[]) => tmux("send-keys", "-t", SESSION, "-H", ...b.map((x) => x.toString(16).padStart(2, "0")));

// (deadlines, not delays: each wait returns as soon as the pane shows what it waits for)
async function until(ok: (s: string) => boolean, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (ok(s) || Date.now() > end) return s;
    await Bun.sleep(100);
  }
}

/** Waits until a file has content (what a command in the pane wrote; a pane can be cleared before it is read). */
async function fileText(path: string, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (s.includes("\n") || Date.now() > end) return s;
    await Bun.sleep(100);
  }
}

const dashboard = (s: string) => s.includes("ACTIVE SESSIONS") && s.includes("DEMO DATA");

async function start(tag: string, flags = ""): Promise<void> {
  keys("clear", "Enter");
  keys(`${process.execPath} src/cli.ts --demo --no-allowance --no-store ${flags}; echo ${tag}=$?`, "Enter");
  expect(dashboard(await until(dashboard))).toBe(true);
}

/**
 * The dashboard's own process: the one child of the pane's shell (which runs it, then `echo`), checked to be the
 * dashboard by its command line. (Not the newest process matching a pattern: that may be another test run's.)
 */
function dashboardPid(): number {
  const shell = tmux("display", "-p", "-t", SESSION, "#{pane_pid}").trim();
  const children = Bun.spawnSync(["pgrep", "-P", shell], { stdout: "pipe" }).stdout.toString().trim().split("\n").filter(Boolean);
  expect(children).toHaveLength(1);
  const pid = Number(children[0]);
  expect(Bun.spawnSync(["ps", "-o", "args=", "-p", String(pid)], { stdout: "pipe" }).stdout.toString()).toContain(
    "src/cli.ts --demo --no-allowance --no-store",
  );
  return pid;
}

/** Waits until the shell has read everything typed into the pane so far: it answers a command typed after it. */
async function shellCaughtUp(tag: string): Promise<void> {
  keys(`echo ${tag}-read-$((6*7))`, "Enter");
  expect(await until((s) => s.includes(`${tag}-read-42`))).toContain(`${tag}-read-42`);
}

const exitOf = async (tag: string, ms?: number) =>
  /=(\d+)/.exec((await until((s) => new RegExp(`${tag}=\\d+`).test(s), ms)).match(new RegExp(`${tag}=\\d+`))?.[0] ?? "")?.[1];

/** The shell's terminal modes, written to a file by stty in the pane. */
async function sttyModes(): Promise<string> {
  const file = join(temp("stty"), "modes");
  keys(`clear; stty -a > ${file}`, "Enter");
  return fileText(file);
}

describe.skipIf(!hasTmux && process.env.CI !== "true")("in a real terminal", () => {
  beforeAll(() => {
    tmux("new-session", "-d", "-s", SESSION, "-x", "160", "-y", "50", "-c", REPO);
    keys(`export COLORTERM=truecolor PS1='$ '`, "Enter");
  });
  afterAll(() => tmux("kill-session", "-t", SESSION));

  test("q exits 0, Ctrl-C 130, SIGTERM 143", async () => {
    await start("Q");
    keys("q");
    expect(await exitOf("Q")).toBe("0");
    await start("C");
    keys("C-c");
    expect(await exitOf("C")).toBe("130");
    await start("T");
    process.kill(dashboardPid(), "SIGTERM");
    expect(await exitOf("T")).toBe("143");
  }, 120_000);

  test("Ctrl-Z: the shell gets a cooked terminal back; fg redraws the dashboard, which still answers keys", async () => {
    await start("Z");
    keys("C-z");
    await until((s) => s.includes("Stopped"));
    const modes = await sttyModes();
    expect(modes).toMatch(/(^|[\s;])icanon([\s;]|$)/m);
    expect(modes).toMatch(/(^|[\s;])echo([\s;]|$)/m);
    expect(modes).not.toContain("-icanon");
    keys("clear; fg; echo F=$?", "Enter");
    expect(dashboard(await until(dashboard))).toBe(true);
    keys("?");
    expect(await until((s) => s.includes("HELP"))).toContain("HELP");
    keys("Escape");
    // (the help gone: the Escape was read on its own, so the q after it is not read as Alt-q)
    expect(await until((s) => !s.includes("HELP"))).not.toContain("HELP");
    keys("q");
    expect(await exitOf("F")).toBe("0");
  }, 120_000);

  /**
   * Whether the dashboard still reads keys: Escapes (close panels, end a search) until no help shows, then ? opens
   * the help and Escape closes it. Retried while a paste or sequence the input left open swallows the keys.
   */
  async function answersKeys(tag: string): Promise<boolean> {
    const end = Date.now() + 60_000;
    const gone = (s: string) => new RegExp(`${tag}=\\d+`).test(s);
    while (Date.now() < end) {
      keys("Escape", "Escape", "Escape");
      let s = await until((s) => (dashboard(s) && !s.includes("HELP")) || gone(s), 1500);
      if (gone(s)) return false;
      if (s.includes("HELP") || !dashboard(s)) continue;
      keys("?");
      s = await until((s) => s.includes("HELP") || gone(s), 1500);
      if (!s.includes("HELP")) continue;
      keys("Escape");
      s = await until((s) => !s.includes("HELP") || gone(s), 1500);
      if (!s.includes("HELP") && !gone(s)) return true;
    }
    return false;
  }

  for (const backend of ["opentui", "ansi"] as const) {
    test(`${backend}: Ctrl-C or Ctrl-Z inside a long paste: the rest of the paste never reaches the shell (it would run there)`, async () => {
      const dir = temp("paste");
      const mark = join(dir, "ran");
      for (const [brk, tag] of [
        ["\x03", "PC"],
        ["\x1a", "PZ"],
      ] as const) {
        // (60 kB: still on its way when the break key is read)
        writeFileSync(join(dir, "paste"), `ab${brk}${"x".repeat(60_000)}\ntouch ${mark}\n`);
        await start(tag, `--backend ${backend}`);
        tmux("load-buffer", "-b", SESSION, join(dir, "paste"));
        tmux("paste-buffer", "-p", "-b", SESSION, "-t", SESSION);
        if (brk === "\x03") expect(await exitOf(tag)).toBe("130");
        else {
          await until((s) => s.includes("Stopped"));
          keys("clear; fg; echo F=$?", "Enter");
          expect(dashboard(await until(dashboard))).toBe(true);
          keys("q");
          expect(await exitOf("F")).toBe("0");
        }
        // (had the rest of the paste reached the shell, it would have run `touch` before it answers this)
        await shellCaughtUp(tag);
        expect(existsSync(mark)).toBe(false);
      }
    }, 180_000);

    test(`${backend}: stray bytes, a split "ă", seeded storms and a paste that never ends neither end nor hang it; q exits 0`, async () => {
      const tag = `H${backend.toUpperCase()}`;
      await start(tag, `--backend ${backend} --export-dir ${temp("export")}`);
      bytes([0x83]);
      bytes([0xf1]);
      bytes([0xc4]);
      bytes([0x83]);
      expect(await answersKeys(tag)).toBe(true);
      for (const seed of backend === "opentui" ? [1, 2, 3] : [4, 5, 6]) {
        const rand = mulberry32(seed);
        for (let i = 0; i < 8; i++) bytes(Array.from({ length: 6 }, () => stormChunk(rand)).flat());
      }
      expect(await answersKeys(tag)).toBe(true);
      // a paste that never ends, then q (a paste ends 500 ms after its last byte, so q is sent until it quits)
      bytes([...Buffer.from("\x1b[200~abc")]);
      const end = Date.now() + 60_000;
      let s = screen();
      while (!new RegExp(`${tag}=\\d+`).test(s) && Date.now() < end) {
        keys("q");
        s = await until((s) => new RegExp(`${tag}=\\d+`).test(s), 1500);
      }
      expect(await exitOf(tag)).toBe("0");
      // the terminal is restored: main screen, no mouse reporting, cursor shown, cooked mode with echo
      expect(tmux("display", "-p", "-t", SESSION, "#{alternate_on} #{mouse_any_flag} #{mouse_button_flag} #{mouse_sgr_flag} #{cursor_flag}").trim()).toBe(
        "0 0 0 0 1",
      );
      const modes = await sttyModes();
      expect(modes).toMatch(/(^|[\s;])icanon([\s;]|$)/m);
      expect(modes).toMatch(/(^|[\s;])echo([\s;]|$)/m);
    }, 240_000);
  }
});
