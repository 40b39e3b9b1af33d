// Where transcripts live: each entry of $CLAUDE_CONFIG_DIR (comma-separated, unless the whole value is an existing
// directory whose name has commas), else ~/.claude and ~/.config/claude; `--root DIR` (repeatable) replaces them.
// Pure: the environment (and a directory check) is passed in.
import { join, resolve } from "node:path";

interface RootInputs {
  /** `--root` values, in order. */
  flagRoots: readonly string[];
  claudeConfigDir: string | undefined;
  home: string;
  /** whether a path is an existing directory: a CLAUDE_CONFIG_DIR that is one (commas and all) is that one path. */
  isDir?: (path: string) => boolean;
}

export function resolveRoots(i: RootInputs): string[] {
  let roots: string[];
  if (i.flagRoots.length > 0) roots = [...i.flagRoots];
  else {
    const whole = (i.claudeConfigDir ?? "").trim();
    const fromEnv =
      whole.includes(",") && i.isDir?.(resolve(expandHome(whole, i.home)))
        ? [whole]
        : whole
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s.length > 0);
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
