// The receiver's `GET /metrics`: cumulative counters of the metric points it has received, in the Prometheus text
// exposition format, under the names Claude Code's own Prometheus exporter uses (so a team's Prometheus can scrape
// several receivers behind a load balancer, and dashboards written for Claude Code work on them). Counters start at
// zero when the receiver starts; Prometheus reads a restart as a counter reset.
import type { MetricSample } from "./otlp-map.ts";
import { replaceUnsafe } from "../shared/sanitize.ts";

/** Claude Code's metric names → the names its Prometheus exporter gives them (unit suffix, then _total), and help. */
const EXPOSED: Readonly<Record<string, { name: string; help: string }>> = {
  "claude_code.token.usage": { name: "claude_code_token_usage_tokens_total", help: "Tokens used, by type (input, output, cacheRead, cacheCreation) and model" },
  "claude_code.cost.usage": { name: "claude_code_cost_usage_USD_total", help: "Cost in USD as Claude Code reports it, by model" },
  "claude_code.session.count": { name: "claude_code_session_count_total", help: "Sessions started" },
  "claude_code.lines_of_code.count": { name: "claude_code_lines_of_code_count_total", help: "Lines of code changed, by type (added, removed)" },
  "claude_code.commit.count": { name: "claude_code_commit_count_total", help: "Git commits made by Claude Code" },
  "claude_code.pull_request.count": { name: "claude_code_pull_request_count_total", help: "Pull requests made by Claude Code" },
  "claude_code.code_edit_tool.decision": { name: "claude_code_code_edit_tool_decision_total", help: "Code edit tool permission decisions" },
  "claude_code.active_time.total": { name: "claude_code_active_time_total_seconds_total", help: "Active time in seconds" },
};

// A label value in the text format: backslash, quote and newline escaped as the format says; any other control, bidi or
// separator character (which the format cannot escape) is U+FFFD, so a scraper's UI or a terminal showing the page is
// never steered by a sender's label; registered secrets are redacted.
const escapeLabel = (v: string) => replaceUnsafe(v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n"), "\uFFFD");

/** Counters per metric and label set, summed from the deltas the receiver maps (see otlp-map.ts MetricState). */
export class MetricCounters {
  /** exposed name → label text → value */
  private readonly series = new Map<string, Map<string, number>>();

  add(samples: readonly MetricSample[]): void {
    for (const s of samples) {
      const exposed = EXPOSED[s.name];
      if (!exposed || !Number.isFinite(s.value) || s.value <= 0) continue;
      const labels = [
        s.model !== null ? `model="${escapeLabel(s.model)}"` : "",
        s.sessionId !== null ? `session_id="${escapeLabel(s.sessionId)}"` : "",
        s.type !== null ? `type="${escapeLabel(s.type)}"` : "",
        s.user !== null ? `user_email="${escapeLabel(s.user)}"` : "",
      ]
        .filter(Boolean)
        .join(",");
      let m = this.series.get(exposed.name);
      if (!m) this.series.set(exposed.name, (m = new Map()));
      m.set(labels, (m.get(labels) ?? 0) + s.value);
    }
  }

  get size(): number {
    let n = 0;
    for (const m of this.series.values()) n += m.size;
    return n;
  }

  /** The exposition text (version 0.0.4): HELP and TYPE per metric, one line per series. */
  text(): string {
    const out: string[] = [];
    for (const { name, help } of Object.values(EXPOSED)) {
      const m = this.series.get(name);
      if (!m || m.size === 0) continue;
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of m) out.push(`${name}${labels ? `{${labels}}` : ""} ${value}`);
    }
    return out.length > 0 ? `${out.join("\n")}\n` : "";
  }
}
