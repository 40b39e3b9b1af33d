// HISTORY's registry: its panels in drawing order (historyLayout in ui/layout.ts says where each goes).
import type { HistoryLayout } from "../../ui/layout.ts";
import type { AnyScreenPanel } from "../screen.ts";
import { historyCharts } from "./charts.ts";
import { historyHeatmap } from "./heatmap.ts";
import { historySummary } from "./summary.ts";

export const HISTORY_PANELS: readonly AnyScreenPanel<HistoryLayout>[] = [historyCharts, historySummary, historyHeatmap];
