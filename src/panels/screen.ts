// What a LIVE or HISTORY panel is: one module with its id, the place the layout gives it, and a drawer that takes
// its part of the frame's view model to a widget. Each screen's registry (screens/frame.ts) lists its panels;
// drawFrame lays out and draws what the registry gives. (Their numbers come from one query per frame: selectLive / selectHistory.)
import type { Canvas, Rect } from "../ui/canvas.ts";
import type { FrameView } from "../ui/frame-view.ts";
import type { HitMap } from "../ui/hits.ts";
import type { UiState } from "../ui/ui-state.ts";

export interface DrawContext {
  hits: HitMap;
  ui: UiState;
  /** the animation clock */
  time: number;
}

export interface ScreenPanel<L> {
  id: string;
  /** where the layout puts it; null: not on this screen size (an overlay or a key shows it instead) */
  place(lay: L): Rect | null;
  draw(c: Canvas, r: Rect, v: FrameView, ctx: DrawContext): void;
}

/** Several panels of one kind side by side or stacked (the charts): one module, one place each. */
export interface ScreenPanels<L> {
  id: string;
  places(lay: L): readonly Rect[];
  draw(c: Canvas, r: Rect, index: number, v: FrameView, ctx: DrawContext): void;
}

export type AnyScreenPanel<L> = ScreenPanel<L> | ScreenPanels<L>;
