// The tools of the window's tally that were called or decided on (durations, tool types and decisions list them).
import type { InsightsInput, ToolTally } from "../insights-view.ts";

type ToolEntry = [string, ToolTally["tools"] extends Map<string, infer T> ? T : never];

export function toolList(i: InsightsInput): ToolEntry[] {
  return [...i.tools().tools.entries()].filter(([, t]) => t.calls > 0 || t.accepted + t.rejections > 0);
}
