// Keeps INSIGHTS' numbers from a Prometheus-compatible engine fresh: one query batch at a time, every `intervalMs`
// (and at once when the window changes); on a failure the last good numbers stay, marked stale with the cause, and
// the next try backs off (doubling, up to 5 minutes).
import { PromError, type PrometheusClient, type PromInsights } from "./prometheus.ts";

export interface PromState {
  /** the last good answer (null before the first) */
  data: PromInsights | null;
  /** the window (hours) the data is for */
  hours: number | null;
  /** when the last good answer came (epoch ms) */
  fetchedAt: number | null;
  /** the last failure's cause, while the engine keeps failing (null once it answers again) */
  error: string | null;
  /** a batch is in flight */
  busy: boolean;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export class PromPoller {
  readonly state: PromState = { data: null, hours: null, fetchedAt: null, error: null, busy: false };
  private nextAt = 0;
  private backoffMs: number;
  /** bumped on every answer or failure (views cache on it) */
  version = 0;

  constructor(
    private readonly client: PrometheusClient,
    private readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.backoffMs = intervalMs;
  }

  /** Starts a refresh when one is due (or the window changed) and none is in flight; call it often. */
  tick(now: number, hours: number): void {
    if (this.state.busy) return;
    if (this.state.hours === hours && this.clock() < this.nextAt) return;
    void this.refresh(now, hours);
  }

  /** One batch of queries for the window ending at `now`. Never throws. */
  async refresh(now: number, hours: number): Promise<void> {
    if (this.state.busy) return;
    this.state.busy = true;
    try {
      const data = await this.client.insightsFor(now, hours);
      Object.assign(this.state, { data, hours, fetchedAt: this.clock(), error: null });
      this.backoffMs = this.intervalMs;
      this.nextAt = this.clock() + this.intervalMs;
    } catch (e) {
      this.state.error = e instanceof PromError ? e.message : `unexpected: ${(e as Error)?.message ?? e}`;
      if (this.state.hours !== hours) this.state.hours = this.state.data ? this.state.hours : hours;
      this.nextAt = this.clock() + this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    } finally {
      this.state.busy = false;
      this.version++;
    }
  }
}
