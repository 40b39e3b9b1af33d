// A list of timed items kept sorted lazily: appends are O(1); the first query after a change sorts once
// (nearly sorted input, so it is cheap); range queries are binary searches. Window semantics: from < time <= to.

export interface Timed {
  time: number;
  seq: number;
}

export class TimeIndex<T extends Timed> {
  private items: T[] = [];
  private sorted = true;

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    const n = this.items.length;
    if (n > 0 && compare(this.items[n - 1]!, item) > 0) this.sorted = false;
    this.items.push(item);
  }

  /** Call after changing the time of an item already in the index. */
  touched(): void {
    this.sorted = false;
  }

  /** All items, sorted by time (then arrival). */
  all(): readonly T[] {
    this.sort();
    return this.items;
  }

  /** Items with from < time <= to, in time order. */
  range(from: number, to: number): readonly T[] {
    this.sort();
    const a = this.items;
    return a.slice(upperBound(a, from), upperBound(a, to));
  }

  /** Calls fn for each item with from < time <= to, without copying. */
  each(from: number, to: number, fn: (item: T) => void): void {
    this.sort();
    const a = this.items;
    const end = upperBound(a, to);
    for (let i = upperBound(a, from); i < end; i++) fn(a[i]!);
  }

  private sort(): void {
    if (this.sorted) return;
    this.items.sort(compare);
    this.sorted = true;
  }
}

function compare(a: Timed, b: Timed): number {
  return a.time - b.time || a.seq - b.seq;
}

/** First index whose time is > t. */
function upperBound(a: readonly Timed[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.time <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
