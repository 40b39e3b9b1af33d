// A clock for tests whose timeouts should not take real time: its timers run only when the test moves it on, so a
// test says "the deadline has passed" instead of waiting for it (and cannot be early or late on a loaded machine).
// It is a Clock (src/shared/clock.ts): the `clock` option of AllowanceClient and startOtlpReceiver.
import type { Clock } from "../src/shared/clock.ts";

export interface FakeClock extends Clock {
  /** Moves the time on by `ms`, running every timer due by then (those set meanwhile too), earliest first. */
  advance(ms: number): void;
  /** How many timers are set and not yet run or cleared. */
  pending(): number;
}

export function fakeClock(start = 0): FakeClock {
  let now = start;
  let next = 1;
  const timers = new Map<number, { at: number; f: () => void }>();
  return {
    now: () => now,
    setTimeout: (f, ms) => {
      timers.set(next, { at: now + Math.max(0, ms), f });
      return next++;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    advance: (ms) => {
      const end = now + ms;
      for (;;) {
        // (earliest first; of those due at once, the one set first: a Map keeps the order of insertion)
        let due: [number, { at: number; f: () => void }] | null = null;
        for (const t of timers) if (t[1].at <= end && (due === null || t[1].at < due[1].at)) due = t;
        if (due === null) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].f();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}
