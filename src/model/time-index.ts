// A list of timed items kept sorted lazily: appends are O(1); the first query after a change puts them in
// order — an insertion pass when only a few are out of place (the live case: new lines, or a response whose
// later line moved it a little), a full sort otherwise (the cold load); range queries are binary searches.
// Window semantics: from < time <= to.

export interface Timed {
  time: number;
  seq: number;
}

export class TimeIndex<T extends Timed> {
  private items: T[] = [];
  private sorted = true;
  /** index before which the items are known to be in order (when only appends happened). */
  private orderedUpTo = 0;

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    const n = this.items.length;
    if (this.sorted && n > 0 && compare(this.items[n - 1]!, item) > 0) {
      this.sorted = false;
      this.orderedUpTo = n;
    }
    this.items.push(item);
  }

  /** Call after changing the time of an item already in the index. */
  touched(): void {
    this.sorted = false;
    this.orderedUpTo = 0;
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
    const a = this.items;
    let moves = 0;
    for (let i = Math.max(1, this.orderedUpTo); i < a.length; i++) {
      const x = a[i]!;
      let j = i - 1;
      while (j >= 0 && compare(a[j]!, x) > 0) {
        a[j + 1] = a[j]!;
        j--;
        moves++;
      }
      a[j + 1] = x;
      if (moves > INSERTION_BUDGET) {
        a.sort(compare);
        break;
      }
    }
    this.sorted = true;
    this.orderedUpTo = a.length;
  }
}

/** Shifts an insertion pass may make before a full sort is cheaper. */
const INSERTION_BUDGET = 50_000;

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
