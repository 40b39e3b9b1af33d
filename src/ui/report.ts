// A plain-text report of the LIVE numbers, printed by the default command until the live dashboard lands.
import type { DashboardJson } from "../model/json-view.ts";
import { cleanText } from "../ingest/sanitize.ts";
import { compact, percent, thousands, usd } from "./format.ts";

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
  out.push(`claude-dash — last ${Math.round((Date.parse(d.window.to) - Date.parse(d.window.from)) / 3_600_000)} h to ${d.window.to}`);
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
    const name = s.title ? `${s.project} · ${s.title}` : s.project;
    const ctx = `${compact(s.contextTokens)}/${s.contextWindow >= 1_000_000 ? "1M" : "200k"}`;
    out.push(
      `  ${s.apiErrorLast ? "!" : " "} ${s.lastActivity.slice(11, 16)}  ${pad(name, 34)} ${pad(s.model ?? "", 26)} ctx ${lpad(ctx, 11)}  fresh 1h ${lpad(compact(s.mainFresh1h), 6)} + sub ${lpad(compact(s.subFresh1h), 6)}  eff ${lpad(compact(s.effectiveTokens), 7)}`,
    );
  }
  const g = d.diagnostics;
  out.push("");
  out.push(`read ${g.files} files, ${compact(g.bytesRead)}B, ${thousands(g.linesRead)} lines; ${g.linesRejected} rejected`);
  for (const u of g.unreadable.slice(0, 5)) out.push(`could not read ${cleanText(u.path, 100)}: ${cleanText(u.reason, 60)}`);
  return `${out.join("\n")}\n`;
}
