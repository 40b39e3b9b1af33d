// The status line's text: the default line, estimates and recorded limits, colours, width fitting, presets and
// templates, hostile strings, and reset times in a fixed zone.
import { describe, expect, test } from "bun:test";
import stringWidth from "string-width";
import type { StatuslineView, WindowView } from "../src/model/statusline-view.ts";
import { burnRate, clockText, columns, DEFAULT_FORMAT, FORMATS, money, parseFormat, renderStatusline, SEGMENT_NAMES } from "../src/ui/statusline-text.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Tuesday 10 March 2026, 13:00 UTC. */
const NOW = Date.UTC(2026, 2, 10, 13, 0);

function win(o: Partial<WindowView> = {}): WindowView {
  return { percent: null, resetsAt: null, elapsedPercent: null, origin: "payload", ageMs: null, costUSD: null, projectedUSD: null, limitAt: null, ...o };
}

function view(o: Partial<StatuslineView> = {}): StatuslineView {
  return {
    now: NOW,
    model: "Opus 4.6",
    sessionUSD: 1.23,
    claudeCodeUSD: 1.23,
    todayUSD: 14.2,
    fiveHour: win({ percent: 42, elapsedPercent: 60, resetsAt: NOW + 2.5 * HOUR }),
    weekly: win({ percent: 31, elapsedPercent: 45, resetsAt: NOW + 4 * DAY - 4 * HOUR }),
    context: { percent: 62, tokens: 124_000, size: 200_000 },
    burnUSDPerHour: 3.1,
    dir: "claude-dash",
    note: null,
    ...o,
  };
}

const plain = (v: StatuslineView, format = "default", width: number | null = null) => renderStatusline(v, { format, color: false, width, timeZone: "UTC" });
const colored = (v: StatuslineView, format = "default", width: number | null = null) => renderStatusline(v, { format, color: true, width, timeZone: "UTC" });
// biome-ignore lint: the SGR sequences we make
const SGR_RE = /\u001b\[[0-9;]*m/g;
const strip = (s: string) => s.replace(SGR_RE, "");

/** Every character no terminal should get from us: C0 (ESC included), DEL, C1, bidi controls, line separators. */
const UNSAFE_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const DEFAULT_LINE = "Opus 4.6 │ $1.23 session │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31% (45% gone) ↻Sat 09:00 │ ctx 62% │ $3.1/h";

describe("the default line", () => {
  test("with all data", () => {
    expect(plain(view())).toBe(DEFAULT_LINE);
    expect(FORMATS.default).toBe(DEFAULT_FORMAT);
    expect(renderStatusline(view(), { format: DEFAULT_FORMAT, color: false, width: null, timeZone: "UTC" })).toBe(DEFAULT_LINE);
  });

  test("one line, no newline", () => {
    expect(plain(view())).not.toContain("\n");
    expect(colored(view())).not.toContain("\n");
  });

  test("our figure for the session marked when Claude Code's differs by more than 1 %", () => {
    expect(plain(view({ claudeCodeUSD: 1.25 }))).toStartWith("Opus 4.6 │ $1.23* session │");
    expect(plain(view({ sessionUSD: 100, claudeCodeUSD: 100.9 }))).toContain("$100.00 session");
    expect(plain(view({ sessionUSD: 100, claudeCodeUSD: 101.5 }))).toContain("$100.00* session");
    // (rounding noise under half a cent is no difference)
    expect(plain(view({ sessionUSD: 0.001, claudeCodeUSD: 0.003 }))).toContain("$0.00 session");
    expect(plain(view({ claudeCodeUSD: null }))).toContain("$1.23 session");
  });

  test("what is not known is left out with its separator", () => {
    expect(plain(view({ model: null, sessionUSD: null, weekly: null, burnUSDPerHour: null }))).toBe("$14.20 today │ 5h 42% (60% gone) ↻15:30 │ ctx 62%");
    expect(plain(view({ context: null }))).toBe("Opus 4.6 │ $1.23 session │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31% (45% gone) ↻Sat 09:00 │ $3.1/h");
    // a window with no pace or reset
    expect(plain(view({ fiveHour: win({ percent: 42 }), weekly: win({ percent: 7 }) }))).toContain("│ 5h 42% │ week 7% │");
  });

  test("the note is added at the end, dim", () => {
    expect(plain(view({ note: "no payload" }))).toBe(`${DEFAULT_LINE} │ no payload`);
    expect(colored(view({ note: "no payload" }))).toEndWith("$3.1/h\u001b[2m │ no payload\u001b[0m");
    // where the template places it, there
    expect(plain(view({ note: "stale" }), "{note}: {model}")).toBe("stale: Opus 4.6");
    // after the template's trailing text, with a space
    expect(plain(view({ note: "stale" }), "[{model}]")).toBe("[Opus 4.6] stale");
    // alone
    expect(plain(view({ model: null, note: "no payload" }), "{model}")).toBe("no payload");
  });
});

describe("limits", () => {
  test("an estimate with a percent is marked ~, with its projected limit time", () => {
    const fiveHour = win({ origin: "estimate", percent: 42, elapsedPercent: 60, resetsAt: NOW + HOUR, limitAt: NOW + 30 * MIN });
    expect(plain(view({ fiveHour, weekly: null }), "{5h}")).toBe("5h ~42% (60% gone) limit ~13:30 ↻14:00");
  });

  test("an estimate without a percent shows the block's cost so far and projected", () => {
    const fiveHour = win({ origin: "estimate", costUSD: 4.2, projectedUSD: 9.8, elapsedPercent: 60, resetsAt: NOW + HOUR, limitAt: NOW + 30 * MIN });
    expect(plain(view({ fiveHour }), "{5h}")).toBe("5h ~$4.20→$9.80 limit ~13:30 ↻14:00");
    expect(plain(view({ fiveHour: win({ origin: "estimate", costUSD: 4.2 }) }), "{5h}")).toBe("5h ~$4.20");
    // nothing known but the reset; nothing at all
    expect(plain(view({ fiveHour: win({ origin: "estimate", resetsAt: NOW + HOUR }) }), "{5h}")).toBe("5h ↻14:00");
    expect(plain(view({ fiveHour: win({ origin: "estimate" }) }), "{model} │ {5h}")).toBe("Opus 4.6");
    // the block segment
    expect(plain(view({ fiveHour }), "{block}")).toBe("block $4.20→~$9.80");
    expect(plain(view({ fiveHour: win({ percent: 3 }) }), "{model} │ {block}")).toBe("Opus 4.6");
  });

  test("a recorded figure shows its age", () => {
    const fiveHour = win({ origin: "recorded", percent: 42, ageMs: 3 * MIN, elapsedPercent: 60, resetsAt: NOW + HOUR });
    expect(plain(view({ fiveHour }), "{5h}")).toBe("5h 42% (3m ago, 60% gone) ↻14:00");
    expect(plain(view({ fiveHour: win({ origin: "recorded", percent: 42, ageMs: 20_000 }) }), "{5h}")).toBe("5h 42% (<1m ago)");
    expect(plain(view({ weekly: win({ origin: "recorded", percent: 42, ageMs: 5 * HOUR }) }), "{week}")).toBe("week 42% (5h ago)");
    expect(plain(view({ weekly: win({ origin: "recorded", percent: 42, ageMs: 3 * DAY }) }), "{week}")).toBe("week 42% (3d ago)");
  });

  test("percents: 99.6 is not yet 100, over 100 shows", () => {
    expect(plain(view({ fiveHour: win({ percent: 99.6 }) }), "{5h}")).toBe("5h 99%");
    expect(plain(view({ fiveHour: win({ percent: 104.2 }) }), "{5h}")).toBe("5h 104%");
    expect(plain(view({ fiveHour: win({ percent: Number.NaN, resetsAt: NOW + HOUR }) }), "{5h}")).toBe("5h ↻14:00");
  });
});

describe("colours", () => {
  test("off: no escape at all", () => {
    for (const v of [view(), view({ fiveHour: win({ percent: 95, elapsedPercent: 20 }), context: { percent: 90, tokens: null, size: null } })]) {
      for (const f of Object.keys(FORMATS)) expect(plain(v, f)).not.toContain("\u001b");
    }
  });

  test("on: only SGR sequences, each run reset, the same text", () => {
    const v = view({ note: "n", claudeCodeUSD: 2 });
    for (const f of Object.keys(FORMATS)) {
      const s = colored(v, f);
      expect(strip(s)).toBe(plain(v, f));
      expect(strip(s)).not.toContain("\u001b");
      expect(s).toEndWith("\u001b[0m");
      // every opening is closed before the next opens
      const codes = s.match(SGR_RE) ?? [];
      expect(codes.length).toBeGreaterThan(0);
      codes.forEach((c, i) => expect(c === "\u001b[0m").toBe(i % 2 === 1));
    }
  });

  test("limit thresholds: green to 70, yellow to 80, orange to 90, red above", () => {
    const at = (p: number) => colored(view({ fiveHour: win({ percent: p }) }), "{5h}");
    expect(at(70)).toContain(`\u001b[32m70%\u001b[0m`);
    expect(at(71)).toContain(`\u001b[33m71%\u001b[0m`);
    expect(at(80)).toContain(`\u001b[33m80%\u001b[0m`);
    expect(at(81)).toContain(`\u001b[38;5;208m81%\u001b[0m`);
    expect(at(90)).toContain(`\u001b[38;5;208m90%\u001b[0m`);
    expect(at(91)).toContain(`\u001b[31m91%\u001b[0m`);
    expect(at(120)).toContain(`\u001b[31m120%\u001b[0m`);
    // the label is dim
    expect(at(70)).toStartWith("\u001b[2m5h\u001b[0m");
    // an estimate is coloured too, its mark dim
    expect(colored(view({ fiveHour: win({ origin: "estimate", percent: 85 }) }), "{5h}")).toContain("\u001b[2m~\u001b[0m\u001b[38;5;208m85%\u001b[0m");
  });

  test("pace: dim when on pace, yellow more than 10 points ahead, red more than 25", () => {
    const at = (p: number, e: number) => colored(view({ fiveHour: win({ percent: p, elapsedPercent: e }) }), "{5h}");
    expect(at(50, 40)).toContain("\u001b[2m (40% gone)\u001b[0m");
    expect(at(51, 40)).toContain("\u001b[33m40% gone\u001b[0m");
    expect(at(66, 40)).toContain("\u001b[31m40% gone\u001b[0m");
    expect(at(20, 80)).toContain("\u001b[2m (80% gone)\u001b[0m");
  });

  test("context: green under 50, yellow under 80, red from 80", () => {
    const at = (p: number) => colored(view({ context: { percent: p, tokens: null, size: null } }), "{context}");
    expect(at(49)).toBe("\u001b[2mctx \u001b[0m\u001b[32m49%\u001b[0m");
    expect(at(50)).toContain("\u001b[33m50%");
    expect(at(79)).toContain("\u001b[33m79%");
    expect(at(80)).toContain("\u001b[31m80%");
  });
});

describe("width", () => {
  const views = [
    view({
      claudeCodeUSD: 1.3,
      note: "stale payload",
      fiveHour: win({ origin: "estimate", percent: 42, elapsedPercent: 60, resetsAt: NOW + HOUR, costUSD: 3, projectedUSD: 6, limitAt: NOW + 50 * MIN }),
    }),
    view(),
    view({ model: "模型 Ωpus 🤖 4.6", dir: "проект-目录" }),
  ];

  test("never exceeds the width, coloured or not, at every width", () => {
    for (const v of views) {
      for (const f of Object.keys(FORMATS)) {
        for (let w = 0; w <= 140; w++) {
          const s = plain(v, f, w);
          expect(stringWidth(s)).toBeLessThanOrEqual(w);
          expect(columns(s)).toBeLessThanOrEqual(w);
          expect(strip(colored(v, f, w))).toBe(s);
        }
      }
    }
  });

  test("detail goes first, then segments from the least important", () => {
    const v = view({ claudeCodeUSD: 1.3 });
    const full = plain(v, "full", null);
    expect(full).toBe(
      "claude-dash │ Opus 4.6 │ $1.23* session │ cc $1.30 │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31% (45% gone) ↻Sat 09:00 │ ctx 62% │ $3.1/h",
    );
    expect(plain(v, "full", full.length)).toBe(full);
    expect(plain(v, "full", full.length - 1)).toBe(
      "Opus 4.6 │ $1.23* session │ cc $1.30 │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31% (45% gone) ↻Sat 09:00 │ ctx 62% │ $3.1/h",
    );
    expect(plain(v, "default", 117)).toBe("Opus 4.6 │ $1.23* session │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31% (45% gone) │ ctx 62% │ $3.1/h");
    expect(plain(v, "default", 100)).toBe("Opus 4.6 │ $1.23* session │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31% (45% gone) │ ctx 62%");
    expect(plain(v, "default", 90)).toBe("Opus 4.6 │ $1.23* session │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31% │ ctx 62%");
    expect(plain(v, "default", 80)).toBe("Opus 4.6 │ $1.23* session │ $14.20 today │ 5h 42% (60% gone) ↻15:30 │ week 31%");
    expect(plain(v, "default", 60)).toBe("Opus 4.6 │ $1.23* session │ 5h 42% (60% gone) ↻15:30");
    expect(plain(v, "default", 45)).toBe("Opus 4.6 │ $1.23* session │ 5h 42% ↻15:30");
    expect(plain(v, "default", 35)).toBe("Opus 4.6 │ $1.23* session │ 5h 42%");
    // (a segment dropped earlier comes back where a more important one did not fit)
    expect(plain(v, "default", 20)).toBe("Opus 4.6 │ 5h 42%");
    expect(plain(v, "default", 10)).toBe("5h 42%");
    // the last one is cut
    expect(plain(v, "default", 5)).toBe("5h 4…");
    expect(plain(v, "default", 1)).toBe("…");
    expect(plain(v, "default", 0)).toBe("");
    expect(plain(view({ model: "A very long model name indeed" }), "{model}", 10)).toBe("A very lo…");
  });

  test("a coloured cut keeps its colours closed", () => {
    const s = colored(view(), "default", 5);
    expect(strip(s)).toBe("5h 4…");
    expect(s).toBe("\u001b[2m5h\u001b[0m \u001b[32m4\u001b[0m\u001b[2m…\u001b[0m");
  });

  test("wide characters are measured as a terminal draws them (never less)", () => {
    const v = view({ model: "模型🤖", dir: "e\u0301te\u0301" });
    expect(plain(v, "{model}")).toBe("模型🤖");
    expect(plain(v, "{model}", 6)).toBe("模型🤖");
    expect(plain(v, "{model}", 5)).toBe("模型…");
    expect(plain(v, "{dir}", 4)).toBe("e\u0301te\u0301");
    for (const s of ["abc", "模型", "🤖", "👍🏽", "👨‍👩‍👧", "e\u0301", "Ωmega", "проект", "↔️", "1️⃣", "\u200b", "ｗｉｄｅ", "ﾊﾝｶｸ", "a\u0301\u0327"])
      expect(columns(s)).toBeGreaterThanOrEqual(stringWidth(s));
  });

  test("the model and the directory take at most 32 columns even with no width", () => {
    const long = "x".repeat(100);
    expect(plain(view({ model: long }), "{model}")).toBe(`${"x".repeat(31)}…`);
    expect(plain(view({ dir: long }), "{dir}")).toBe(`${"x".repeat(31)}…`);
  });
});

describe("presets and templates", () => {
  test("each preset", () => {
    const v = view({
      claudeCodeUSD: 1.25,
      fiveHour: win({ origin: "estimate", percent: 42, elapsedPercent: 60, resetsAt: NOW + 2.5 * HOUR, costUSD: 4.2, projectedUSD: 9.8 }),
    });
    expect(Object.keys(FORMATS)).toEqual(["default", "compact", "cost", "full"]);
    expect(plain(v, "default")).toBe(
      "Opus 4.6 │ $1.23* session │ $14.20 today │ 5h ~42% (60% gone) ↻15:30 │ week 31% (45% gone) ↻Sat 09:00 │ ctx 62% │ $3.1/h",
    );
    expect(plain(v, "compact")).toBe("Opus 4.6 · $1.23* session · 5h ~42% (60% gone) ↻15:30 · ctx 62%");
    expect(plain(v, "cost")).toBe("Opus 4.6 │ $1.23* session │ cc $1.25 │ $14.20 today │ block $4.20→~$9.80 │ $3.1/h");
    expect(plain(v, "full")).toBe(
      "claude-dash │ Opus 4.6 │ $1.23* session │ cc $1.25 │ $14.20 today │ 5h ~42% (60% gone) ↻15:30 │ block $4.20→~$9.80 │ week 31% (45% gone) ↻Sat 09:00 │ ctx 62% │ $3.1/h",
    );
    for (const name of Object.keys(FORMATS)) expect(parseFormat(name).ok).toBe(true);
  });

  test("a custom template, literal braces", () => {
    expect(plain(view(), "{{{model}}} {today}")).toBe("{Opus 4.6} $14.20 today");
    expect(plain(view(), "{{{{{model}}}}} {{x}}")).toBe("{{Opus 4.6}} {x}");
    expect(plain(view(), "{{{today}}}")).toBe("{$14.20 today}");
  });

  test("separators go with the segment left out: the one before it, or after it when it is first", () => {
    const t = "<{model} | {session} / {today}>";
    expect(plain(view(), t)).toBe("<Opus 4.6 | $1.23 session / $14.20 today>");
    expect(plain(view({ model: null }), t)).toBe("<$1.23 session / $14.20 today>");
    expect(plain(view({ sessionUSD: null }), t)).toBe("<Opus 4.6 / $14.20 today>");
    expect(plain(view({ model: null, sessionUSD: null }), t)).toBe("<$14.20 today>");
    expect(plain(view({ model: null, sessionUSD: null, todayUSD: Number.NaN }), t)).toBe("");
    // adjacent segments, a segment twice
    expect(plain(view(), "{cc}{model}")).toBe("cc $1.23Opus 4.6");
    expect(plain(view(), "{model} {model}")).toBe("Opus 4.6 Opus 4.6");
  });

  test("bad templates say what is wrong, naming it", () => {
    const bad = (t: string) => {
      const p = parseFormat(t);
      if (p.ok) throw new Error(`accepted ${JSON.stringify(t)}`);
      expect(p.message).not.toContain("\n");
      return p.message;
    };
    expect(bad("{model} {foo}")).toContain('unknown segment "{foo}"');
    expect(bad("{model} {foo}")).toContain(SEGMENT_NAMES.join(", "));
    expect(bad("{model} {5h")).toContain('unclosed "{" at column 9');
    expect(bad("{model {5h}")).toContain('unclosed "{" at column 1');
    expect(bad("{model} }")).toContain('unmatched "}" at column 9');
    expect(bad("{}")).toContain('empty segment "{}"');
    expect(bad("")).toContain("empty format");
    expect(bad("compcat")).toContain('unknown format "compcat"');
    expect(bad("compcat")).toContain("default, compact, cost, full");
    expect(bad("just text")).toContain("names no segment");
    expect(bad("{{model}}")).toContain("names no segment");
    expect(bad("{model}\u001b[31m")).toContain("U+001B at column 8");
    expect(bad("{model}\n{5h}")).toContain("U+000A");
    expect(bad("{model}\u202e{5h}")).toContain("U+202E");
    expect(bad("__proto__")).toContain("unknown format");
    expect(bad("constructor")).toContain("unknown format");
    expect(() => plain(view(), "{nope}")).toThrow('unknown segment "{nope}"');
  });

  test("parsed segments", () => {
    expect(parseFormat("a{{{model}}}b{5h}")).toEqual({
      ok: true,
      segments: [
        { kind: "text", text: "a{" },
        { kind: "segment", name: "model" },
        { kind: "text", text: "}b" },
        { kind: "segment", name: "5h" },
      ],
    });
  });
});

describe("hostile strings", () => {
  const HOSTILE = [
    "\u001b]0;pwned\u0007",
    "\u001b[2J\u001b[31m",
    "\u001b]52;c;cm0gLXJmIH4=\u0007",
    "\u009b31m",
    "\u0085\u008d",
    "\u202eevil\u202c\u2066x\u2069\u061c\u200e",
    "line\nbreak\r\u2028\u2029",
    "\u0007\u0008\u007f\t",
    "sk-ant-api03-abcdefghijklmnop",
  ];

  test("in the model, the directory and the note, nothing unsafe reaches the output", () => {
    for (const h of HOSTILE) {
      const v = view({ model: `Op${h} us`, dir: `${h} dir ${h}`, note: `${h} note` });
      for (const f of Object.keys(FORMATS)) {
        for (const width of [null, 200, 40, 12]) {
          const off = plain(v, f, width);
          expect(UNSAFE_RE.test(off)).toBe(false);
          const on = colored(v, f, width);
          expect(UNSAFE_RE.test(strip(on))).toBe(false);
          expect(on).not.toContain("sk-ant-api03");
        }
      }
      const s = plain(v, "{model} {dir} {note}");
      expect(s).toContain("Op");
      expect(s).toContain("dir");
    }
  });

  test("a model that is nothing but control characters is left out", () => {
    expect(plain(view({ model: "\u001b\u0007\u009b" }), "{model} │ {today}")).toBe("$14.20 today");
  });
});

describe("times and numbers", () => {
  test("reset times in a fixed zone: today HH:MM, another day its weekday, further its date", () => {
    // 13:00 UTC is 22:00 in Tokyo
    expect(clockText(NOW + HOUR, NOW, "UTC")).toBe("14:00");
    expect(clockText(NOW + HOUR, NOW, "Asia/Tokyo")).toBe("23:00");
    expect(clockText(NOW + 3 * HOUR, NOW, "Asia/Tokyo")).toBe("Wed 01:00");
    expect(clockText(NOW + 3 * HOUR, NOW, "UTC")).toBe("16:00");
    // (New York is on daylight time from 8 March 2026: 09:00 now, 21:00 the same day)
    expect(clockText(NOW + 12 * HOUR, NOW, "America/New_York")).toBe("21:00");
    expect(clockText(NOW + 16 * HOUR, NOW, "America/New_York")).toBe("Wed 01:00");
    expect(clockText(NOW - 14 * HOUR, NOW, "UTC")).toBe("Mon 23:00");
    expect(clockText(NOW + 8 * DAY, NOW, "UTC")).toBe("Mar 18 13:00");
    expect(clockText(Date.UTC(2026, 2, 10, 0, 5), Date.UTC(2026, 2, 10, 0, 1), "UTC")).toBe("00:05");
    // an unknown zone: the process zone, no throw
    expect(() => clockText(NOW, NOW, "Not/AZone")).not.toThrow();
    const v = view({ fiveHour: win({ percent: 5, resetsAt: NOW + 2 * HOUR }) });
    expect(renderStatusline(v, { format: "{5h}", color: false, width: null, timeZone: "Asia/Kolkata" })).toBe("5h 5% ↻20:30");
    expect(renderStatusline(v, { format: "{5h}", color: false, width: null, timeZone: "Europe/Berlin" })).toBe("5h 5% ↻16:00");
  });

  test("money", () => {
    expect(money(0)).toBe("$0.00");
    expect(money(0.42)).toBe("$0.42");
    expect(money(14.2)).toBe("$14.20");
    expect(money(999.994)).toBe("$999.99");
    expect(money(999.996)).toBe("$1,000");
    expect(money(1234.56)).toBe("$1,235");
    expect(money(1_234_567)).toBe("$1,234,567");
    expect(money(2.5e9)).toBe("$2.5B");
    expect(money(Number.NaN)).toBe("$?");
    expect(money(Number.POSITIVE_INFINITY)).toBe("$?");
    expect(money(-1.5)).toBe("-$1.50");
  });

  test("burn rate", () => {
    expect(burnRate(0.42)).toBe("$0.42/h");
    expect(burnRate(0.996)).toBe("$1.0/h");
    expect(burnRate(3.1)).toBe("$3.1/h");
    expect(burnRate(12.44)).toBe("$12.4/h");
    expect(burnRate(123.4)).toBe("$123/h");
    expect(burnRate(1234)).toBe("$1,234/h");
    expect(burnRate(Number.NaN)).toBe("$?/h");
  });
});
