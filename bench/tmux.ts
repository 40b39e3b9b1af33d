// The live dashboard in a tmux pane of 160×50, as a user runs it, for the benchmarks that measure it from outside.

/** Whether tmux can be run here (the benchmarks that need it are skipped without it). */
export function hasTmux(): boolean {
  return Bun.spawnSync(["tmux", "-V"], { stdout: "pipe", stderr: "pipe" }).exitCode === 0;
}

/** Runs tmux with these arguments (on the server named `server`, when given). */
export function tmux(args: string[], server?: string): { exitCode: number | null; stdout: Buffer } {
  const p = Bun.spawnSync(["tmux", ...(server ? ["-L", server] : []), ...args], { stdout: "pipe", stderr: "pipe" });
  return { exitCode: p.exitCode, stdout: p.stdout };
}

/** Starts `command` in a new detached 160×50 session. */
export function startPane(session: string, command: string, server?: string): void {
  tmux(["new-session", "-d", "-s", session, "-x", "160", "-y", "50", command], server);
}
