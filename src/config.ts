// The config file: $XDG_CONFIG_HOME/claude-dash/config.toml (else ~/.config/claude-dash/config.toml) holds defaults
// for flags, one `name = value` per line with the flags' names (window-hours = 24, theme = "light",
// tz = "Europe/Berlin", root = ["~/work/.claude"]); `animation = false` is fps = 0. Flags override it.
// The TOML this reads is the part such a file needs: comments, bare keys, strings, numbers, booleans and arrays of
// strings on one line. Pure: the caller reads the file. What a message shows of the file is cleaned and cut short.
import { cleanText } from "./shared/sanitize.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

type ConfigValue = string | number | boolean | string[];

/** The largest config file read (a config of flags is a few hundred bytes; anything near this is not one). */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** A piece of the file in a message: cleaned of control characters, and short. */
const shown = (v: string) => cleanText(v, 40);

/** `key = value` lines into values; throws ConfigError naming the line and key for anything else. */
export function parseConfig(text: string, file = "config.toml"): Record<string, ConfigValue> {
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(`${file} is larger than ${MAX_CONFIG_BYTES / 1024} KiB: not a config file of flags`);
  const out: Record<string, ConfigValue> = Object.create(null) as Record<string, ConfigValue>;
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = stripComment(raw).trim();
      if (line === "") return;
      const where = `${file} line ${i + 1}`;
      if (line.startsWith("[")) throw new ConfigError(`${where}: sections are not used; write name = value at the top level`);
      const m = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
      if (!m) throw new ConfigError(`${where}: expected name = value`);
      const key = m[1]!;
      if (key.length > 64) throw new ConfigError(`${where}: ${shown(key)} is not a flag's name`);
      if (key in out) throw new ConfigError(`${where}: ${key} is set twice`);
      out[key] = value(m[2]!.trim(), `${where}: ${key}`);
    });
  return out;
}

/** A line without its comment (a # outside a string). */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === '"' && ch === "\\") i++;
    else if (quote !== null && ch === quote) quote = null;
    else if (quote === null && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === "#" && quote === null) return line.slice(0, i);
  }
  return line;
}

function value(v: string, where: string): ConfigValue {
  if (v === "true" || v === "false") return v === "true";
  if (/^[+-]?(\d[\d_]*)(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return Number(v.replace(/_/g, ""));
  if (v.startsWith('"')) return string(v, where);
  if (v.startsWith("'")) {
    if (!/^'[^']*'$/.test(v)) throw new ConfigError(`${where}: a string that does not end where it should`);
    return v.slice(1, -1);
  }
  if (v.startsWith("[")) {
    if (!v.endsWith("]")) throw new ConfigError(`${where}: an array must close on its line`);
    const inner = v.slice(1, -1).trim();
    if (inner === "") return [];
    const items = inner.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^,\s][^,]*/g) ?? [];
    // (an array holds strings, never arrays: nothing nests, so no depth of brackets can exhaust the stack)
    return items.map((item) => {
      const t = item.trim();
      if (!t.startsWith('"') && !t.startsWith("'")) throw new ConfigError(`${where}: an array holds strings here`);
      return value(t, where) as string;
    });
  }
  throw new ConfigError(`${where}: ${shown(v)} is not a value (a string needs quotes)`);
}

function string(v: string, where: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(v);
  if (!m) throw new ConfigError(`${where}: a string that does not end where it should`);
  return m[1]!.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e[0] === "u") return String.fromCharCode(parseInt(e.slice(1), 16));
    const map: Record<string, string> = { n: "\n", t: "\t", '"': '"', "\\": "\\" };
    if (!(e in map)) throw new ConfigError(`${where}: unknown escape ${shown(`\\${e}`)}`);
    return map[e]!;
  });
}

/** Where the config file is: $XDG_CONFIG_HOME/claude-dash/config.toml, else ~/.config/claude-dash/config.toml. */
export function configPath(env: Record<string, string | undefined>, home: string): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : `${home}/.config`;
  return `${base}/claude-dash/config.toml`;
}
