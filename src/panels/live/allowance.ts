// LIVE's ALLOWANCE: the subscription's limits (5 h, week) with their resets, beside the charts when there is room.
import type { Layout } from "../../ui/layout.ts";
import { drawAllowance } from "../../ui/widgets/allowance.ts";
import type { ScreenPanel } from "../screen.ts";

export const liveAllowance: ScreenPanel<Layout> = {
  id: "allowance",
  place: (lay) => lay.allowance,
  draw(c, r, v, ctx) {
    drawAllowance(c, r, v.allowance, v.now, v.still ? 0 : ctx.time, ctx.hits);
  },
};
