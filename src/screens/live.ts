// LIVE's registry: its panels in drawing order (the layout in ui/layout.ts says where each goes).
import type { Layout } from "../ui/layout.ts";
import type { AnyScreenPanel } from "../panels/screen.ts";
import { liveAllowance } from "../panels/live/allowance.ts";
import { liveCharts } from "../panels/live/charts.ts";
import { liveSessions } from "../panels/live/sessions.ts";
import { liveSummary } from "../panels/live/summary.ts";

export const LIVE_PANELS: readonly AnyScreenPanel<Layout>[] = [liveCharts, liveSummary, liveAllowance, liveSessions];
