/**
 * How long each kind of measurement runs. `full` is what `pnpm bench` uses (about 2.5 minutes in all on
 * a quiet 2-core machine); `smoke` only proves that every measurement still runs end to end (figures are
 * meaningless).
 */
export interface Profile {
  readonly name: 'full' | 'smoke';
  /** tinybench time budget per in-process task, and its warm-up, in ms. */
  readonly taskMs: number;
  readonly warmupMs: number;
  /** Operations per tinybench iteration for sub-microsecond hot paths (so the timer is not what we measure). */
  readonly batch: number;
  /** Process spawns per command (`node -e 0`, `callerid token`, `aws eks get-token`). */
  readonly spawns: number;
  /**
   * Load legs (autocannon, or the client's fetch): seconds per leg, legs per variant (alternating, an even
   * number so each variant goes first equally often), warm-up seconds, autocannon's sampling interval.
   */
  readonly legSeconds: number;
  readonly rounds: number;
  /**
   * Rounds for the client's fetch legs: the process under test is the load generator itself there, so
   * its legs are noisier than autocannon's and get more of them.
   */
  readonly fetchRounds: number;
  readonly warmupSeconds: number;
  readonly sampleIntMs: number;
  readonly connections: number;
  /** Concurrent requests carrying one fresh token (the single-flight proof). */
  readonly concurrentRequests: number;
}

export const FULL: Profile = {
  name: 'full',
  taskMs: 1_000,
  warmupMs: 250,
  batch: 1_000,
  spawns: 10,
  legSeconds: 1,
  rounds: 8,
  fetchRounds: 12,
  warmupSeconds: 2,
  sampleIntMs: 1_000,
  connections: 16,
  concurrentRequests: 1_000,
};

export const SMOKE: Profile = {
  name: 'smoke',
  taskMs: 20,
  warmupMs: 0,
  batch: 20,
  spawns: 1,
  legSeconds: 0.2,
  rounds: 2,
  fetchRounds: 2,
  warmupSeconds: 0.1,
  sampleIntMs: 100,
  connections: 4,
  concurrentRequests: 1_000,
};
