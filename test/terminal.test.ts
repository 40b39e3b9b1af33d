// The live dashboard in a real terminal (tmux): exit codes as a shell expects them (q 0, Ctrl-C 130, SIGTERM 143),
// and Ctrl-Z gives the terminal back (cooked mode, echo) and `fg` brings the dashboard back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";

const REPO = resolve(import.meta.dir, "..");
const hasTmux = Bun.spawnSync(["tmux", "-V"], { stdout: "pipe", stderr: "pipe" }).exitCode === 0;
if (!hasTmux && process.env.CI !== "true") console.log("skipped: the real-terminal tests need tmux");
const SESSION = `claude-dash-term-${process.pid}`;

const tmux = (...args: string[]) => Bun.spawnSync(["tmux", ...args], { stdout: "pipe", stderr: "pipe" }).stdout.toString();
const screen = () => tmux("capture-pane", "-t", SESSION, "-p");
const keys = (...k: string[]) => tmux("send-keys", "-t", SESSION, ...k);

async function until(ok: (s: string) => boolean, ms = 8000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (ok(s) || Date.now() > end) return s;
    await Bun.sleep(100);
  }
}

const dashboard = (s: string) => s.includes("ACTIVE SESSIONS") && s.includes("DEMO DATA");

async function start(tag: string): Promise<void> {
  keys("clear", "Enter");
  keys(`${process.execPath} src/cli.ts --demo --no-allowance --no-store; echo ${tag}=$?`, "Enter");
  expect(dashboard(await until(dashboard))).toBe(true);
}

const exitOf = async (tag: string) => /=(\d+)/.exec((await until((s) => new RegExp(`${tag}=\\d+`).test(s))).match(new RegExp(`${tag}=\\d+`))?.[0] ?? "")?.[1];

describe.skipIf(!hasTmux && process.env.CI !== "true")("in a real terminal", () => {
  beforeAll(() => {
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", "-c", REPO);
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
    const pid = Bun.spawnSync(["pgrep", "-n", "-f", "src/cli.ts --demo --no-allowance --no-store"], { stdout: "pipe" }).stdout.toString().trim();
    process.kill(Number(pid), "SIGTERM");
    expect(await exitOf("T")).toBe("143");
  }, 40_000);

  test("Ctrl-Z: the shell gets a cooked terminal back; fg redraws the dashboard, which still answers keys", async () => {
    await start("Z");
    keys("C-z");
    await until((s) => s.includes("Stopped"));
    keys("clear; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo", "Enter");
    const cooked = await until((s) => /icanon echo|echo icanon/.test(s) || s.includes("-icanon"));
    expect(cooked).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(cooked).not.toContain("-icanon");
    expect(cooked).not.toContain("-echo");
    keys("clear; fg; echo F=$?", "Enter");
    expect(dashboard(await until(dashboard))).toBe(true);
    keys("?");
    expect(await until((s) => s.includes("KEYS") || s.includes("keys"))).toMatch(/KEYS|keys/);
    keys("Escape");
    await Bun.sleep(800); // (an Escape followed at once by q reads as Alt-q; a loaded machine needs the margin)
    keys("q");
    expect(await exitOf("F")).toBe("0");
  }, 40_000);
});
