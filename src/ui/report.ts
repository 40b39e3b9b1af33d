// A plain-text report of the LIVE numbers, printed by the default command until the live dashboard lands.
import type { DashboardJson } from "../model/json-view.ts";
import { cleanText } from "../ingest/sanitize.ts";
import { compact, hhmm, percent, thousands, usd } from "./format.ts";

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + " ".repeat(n - s.length);
}
function lpad(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

export function textReport(d: DashboardJson, banner: string | null): string {
  const out: string[] = [];
  if (banner) out.push(`*** ${banner} ***`, "");
  const t = d.totals;
  const input = t.uncached + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
  const to = Date.parse(d.window.to);
  out.push(`claude-dash — the last ${Math.round((to - Date.parse(d.window.from)) / 3_600_000)} h, to ${new Date(to).toDateString().slice(0, 10)} ${hhmm(to)}`);
  out.push("");
  out.push("SUMMARY");
  out.push(`  input      ${lpad(thousands(input), 14)}   output ${lpad(thousands(t.output), 12)}   responses ${thousands(t.responses)}`);
  out.push(`  effective  ${lpad(thousands(t.effectiveTokens), 14)}   cost   ${lpad(usd(t.costUSD), 12)}`);
  out.push(
    `  cache mix  5m write ${percent(t.cacheWrite5m, input)} · 1h write ${percent(t.cacheWrite1h, input)} · read ${percent(t.cacheRead, input)} · uncached ${percent(t.uncached, input)}`,
  );
  const c = d.counts;
  out.push(`  prompts ${c.prompts} · tool calls ${c.toolCalls} (${c.toolErrors} errors, ${c.toolRejections} rejected) · API errors ${c.apiErrors} (${c.apiRetries} retries)`);
  out.push("");
  out.push(`ACTIVE SESSIONS (${d.sessions.length})`);
  if (d.sessions.length === 0) out.push("  none in the active window");
  for (const s of d.sessions) {
    // Transcript text is painted only after control characters are removed.
    const name = cleanText(s.title ? `${s.project} · ${s.title}` : s.project, 60);
    const ctx = `${compact(s.contextTokens)}/${s.contextWindow >= 1_000_000 ? "1M" : "200k"}`;
    out.push(
      `  ${s.apiErrorLast ? "!" : " "} ${hhmm(Date.parse(s.lastActivity))}  ${pad(name, 34)} ${pad(cleanText(s.model ?? "", 40), 26)} ctx ${lpad(ctx, 11)}  fresh 1h ${lpad(compact(s.mainFresh1h), 6)} + sub ${lpad(compact(s.subFresh1h), 6)}  eff ${lpad(compact(s.effectiveTokens), 7)}`,
    );
  }
  const g = d.diagnostics;
  out.push("");
  if (d.demo) out.push("numbers above are generated demo data");
  else
    out.push(
      `read ${g.files} files, ${compact(g.bytesRead)}B, ${thousands(g.linesRead)} lines (${g.filesDeferred} older files not needed); ${g.linesRejected} lines rejected`,
    );
  for (const u of g.unreadable.slice(0, 5)) out.push(`could not read ${cleanText(u.path, 100)}: ${cleanText(u.reason, 60)}`);
  return `${out.join("\n")}\n`;
}
