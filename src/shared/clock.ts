// The time and the timers code waits with: the real ones here, a fake one in tests (which move it by hand instead of
// waiting). One shape for the terminal's input timeouts, the allowance request's and the OTLP receiver's deadlines.
export interface Clock {
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
