// What a frame shows: the view models of the screen on display, its popups, and the chrome's texts. The screens
// (frame.ts) and the panels (panels/screen.ts) both read it; it imports neither, so they do not import each other.
import type { AllowanceView } from "../model/allowance-view.ts";
import type { HeatCell, HistoryView } from "../model/history-view.ts";
import type { InsightsView } from "../model/insights-view.ts";
import { type SliceRow } from "../model/slice-view.ts";
import { type Bucket, type SessionView, type LiveView } from "../model/selectors.ts";
import type { HistoryLayout } from "./layout.ts";

export type PopupView =
  | { kind: "help"; scroll: number }
  | { kind: "session"; session: SessionView; buckets: readonly Bucket[]; scroll: number }
  | { kind: "slice"; from: number; to: number; rows: readonly SliceRow[]; scroll: number; filtered: string }
  | { kind: "hour"; cell: HeatCell; weekTotal: number }
  | { kind: "summary" }
  | { kind: "heatmap" }
  | { kind: "allowance" }
  | { kind: "insight"; id: string };

export interface HistoryFrame {
  view: HistoryView;
  layout: HistoryLayout;
  hours: number;
  zoneLabel: string;
  /** IANA zone of the heatmap and the day labels; undefined: the system's. */
  zone: string | undefined;
  priceOverride: number | undefined;
}

export interface FrameView {
  /** the data clock. */
  now: number;
  live: LiveView;
  allowance: AllowanceView;
  /** set on the HISTORY tab. */
  history: HistoryFrame | null;
  /** set on the INSIGHTS tab. */
  insights: InsightsView | null;
  /** the hours LIVE shows (`chosenHours` unless a given bucket size cut it to the newest buckets that fit). */
  windowHours: number;
  /** the window chosen (flag or key), before any cut. */
  chosenHours: number;
  activeWindowHours: number;
  clock: string;
  account: string | null;
  banner: string | null;
  status: string | null;
  popups: readonly PopupView[];
  /** true when colour is off (NO_COLOR) or the frame is plain text: no animation. */
  still: boolean;
  /** colour is off (NO_COLOR): what colour tells apart is told by shape (see AppOptions.mono). */
  mono: boolean;
}
