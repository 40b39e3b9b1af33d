// HISTORY's registry: its panels in drawing order (historyLayout in ui/layout.ts says where each goes).
import type { HistoryLayout } from "../ui/layout.ts";
import type { AnyScreenPanel } from "../panels/screen.ts";
import { historyCharts } from "../panels/history/charts.ts";
import { historyHeatmap } from "../panels/history/heatmap.ts";
import { historySummary } from "../panels/history/summary.ts";

export const HISTORY_PANELS: readonly AnyScreenPanel<HistoryLayout>[] = [historyCharts, historySummary, historyHeatmap];
