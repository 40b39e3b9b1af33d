// LIVE's registry: its panels in drawing order (the layout in ui/layout.ts says where each goes).
import type { Layout } from "../../ui/layout.ts";
import type { AnyScreenPanel } from "../screen.ts";
import { liveAllowance } from "./allowance.ts";
import { liveCharts } from "./charts.ts";
import { liveSessions } from "./sessions.ts";
import { liveSummary } from "./summary.ts";

export const LIVE_PANELS: readonly AnyScreenPanel<Layout>[] = [liveCharts, liveSummary, liveAllowance, liveSessions];
