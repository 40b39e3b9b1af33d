// Where transcripts live: each entry of $CLAUDE_CONFIG_DIR (comma-separated), else ~/.claude and
// ~/.config/claude; `--root DIR` (repeatable) replaces them. Pure: the environment is passed in.
import { join, resolve } from "node:path";

export interface RootInputs {
  /** `--root` values, in order. */
  flagRoots: readonly string[];
  claudeConfigDir: string | undefined;
  home: string;
}

export function resolveRoots(i: RootInputs): string[] {
  let roots: string[];
  if (i.flagRoots.length > 0) roots = [...i.flagRoots];
  else {
    const fromEnv = (i.claudeConfigDir ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
    roots = fromEnv.length > 0 ? fromEnv : [join(i.home, ".claude"), join(i.home, ".config", "claude")];
  }
  const out: string[] = [];
  for (const r of roots) {
    const abs = resolve(expandHome(r, i.home));
    if (!out.includes(abs)) out.push(abs);
  }
  return out;
}

function expandHome(p: string, home: string): string {
  return p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p;
}
