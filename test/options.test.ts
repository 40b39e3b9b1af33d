// The flags as a user types them: every shape a terminal user tries, and what --help shows.
import { describe, expect, test } from "bun:test";
import { FLAGS, helpFlags, helpText, parseOptions, UsageError } from "../src/options.ts";

const parse = (...args: string[]) => parseOptions(args, "9.9.9", () => {});
const failure = (...args: string[]): string => {
  try {
    parse(...args);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`accepted: ${args.join(" ")}`);
};

describe("flags", () => {
  test("defaults when nothing is given", () => {
    const o = parse()!;
    expect(o).toMatchObject({
      json: false,
      roots: [],
      now: null,
      windowHours: 12,
      bucketMinutes: null,
      fps: 30,
      view: "live",
      allowance: true,
      store: true,
      otlp: null,
      source: "both",
      report: null,
    });
  });

  test("a value after a space or after =, a repeatable --root in order, --no- and =false for switches", () => {
    const o = parse("--window-hours", "3", "--view=history", "--root", "/a", "--root=/b", "--no-allowance", "--store=false", "--json=true")!;
    expect(o).toMatchObject({ windowHours: 3, view: "history", roots: ["/a", "/b"], allowance: false, store: false, json: true });
  });

  test("--otlp may be given bare (the default port) or with an address", () => {
    expect(parse("--otlp")!.otlp).toEqual({ host: "127.0.0.1", port: 4318, explicitHost: false });
    expect(parse("--otlp", "--headless")!.otlp?.port).toBe(4318);
    expect(parse("--otlp", "0.0.0.0:9999")!.otlp).toEqual({ host: "0.0.0.0", port: 9999, explicitHost: true });
  });

  test.each([
    [["--width", "0x10"], "--width must be a number"],
    [["--fps", "Infinity"], "--fps must be a number"],
    [["--fps", ""], "--fps must be a number"],
    [["--window-hours", "2", "--window-hours", "3"], "--window-hours was given more than once"],
    [["--view", "live", "--view=history"], "--view was given more than once"],
    [["--no-frobnicate"], "unknown flag --no-frobnicate"],
    [["--no-view"], "unknown flag --no-view"],
    [["-x"], "unknown flag -x"],
    [["--no-json=true"], "--no-json takes no value"],
    [["--json=1"], "--json takes no value"],
    [["--otlp", "--json"], "--otlp runs a receiver for the live dashboard or --headless; --json prints once and exits"],
    [["--once", "--otlp", "0.0.0.0:4318"], "--once prints once and exits"],
    [["--tz"], "--tz needs a value"],
    [["--tz", "--json"], "--tz needs a value"],
    [["--", "extra"], 'unexpected argument "extra"'],
    [["--window-hours", "-2"], "--window-hours must be more than 0"],
  ])("%p: %s", (args, message) => {
    expect(failure(...args)).toContain(message);
  });

  test("--help and --version print and return null", () => {
    let out = "";
    expect(parseOptions(["--json", "--help"], "9.9.9", (s) => (out += s))).toBeNull();
    for (const f of FLAGS) expect(out).toContain(`--${f.name}`);
    out = "";
    expect(parseOptions(["--version"], "9.9.9", (s) => (out += s))).toBeNull();
    expect(out).toBe("9.9.9\n");
  });

  test("--help wraps its descriptions to the width, and shows defaults", () => {
    const text = helpText(80);
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain("--window-hours H");
    expect(text).toMatch(/span of the charts and totals \(default: 12\)/);
    expect(text).toContain("--store, --no-store");
  });
});

describe("one table of flags", () => {
  test("the README's flag table names every flag, and no flag the table does not have", async () => {
    const readme = await Bun.file(new URL("../README.md", import.meta.url)).text();
    const table = readme.slice(readme.indexOf("## Flags"), readme.indexOf("\n## ", readme.indexOf("## Flags") + 3));
    const inReadme = new Set([...table.matchAll(/`--(?:no-)?([a-z][a-z-]*)/g)].map((m) => m[1]!));
    for (const f of FLAGS) expect([f.name, inReadme.has(f.name)]).toEqual([f.name, true]);
    const known = new Set([...FLAGS.map((f) => f.name), "help", "version", "height", "plain"]);
    for (const name of inReadme) expect([name, known.has(name)]).toEqual([name, true]);
  });

  test("the in-app help's flags come from the table", () => {
    const lines = helpFlags();
    for (const [left] of lines)
      for (const flag of left.match(/--(?:no-)?[a-z-]+/g)!)
        expect(FLAGS.some((f) => flag === `--${f.name}` || flag === `--no-${f.name}`) || flag === "--help").toBe(true);
    expect(lines.map(([l]) => l)).toContain("--no-store");
  });
});
