// Clickable regions recorded while a frame is drawn; a mouse event is looked up in the last frame's map.
import { inside, type Rect } from "./canvas.ts";
import type { UiAction } from "./ui-state.ts";

export class HitMap {
  private regions: { rect: Rect; action: UiAction }[] = [];

  add(rect: Rect, action: UiAction): void {
    if (rect.w > 0 && rect.h > 0) this.regions.push({ rect, action });
  }

  /** The action of the region drawn last (on top) under (x, y), or null. */
  at(x: number, y: number): UiAction | null {
    for (let i = this.regions.length - 1; i >= 0; i--) if (inside(this.regions[i]!.rect, x, y)) return this.regions[i]!.action;
    return null;
  }

  /** Every region of `other`, on top of these. */
  addAll(other: HitMap): void {
    for (const r of other.regions) this.regions.push(r);
  }

  get size(): number {
    return this.regions.length;
  }

  clear(): void {
    this.regions = [];
  }
}
