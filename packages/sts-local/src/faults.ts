import { assertKnownOptions } from './options.js';

/**
 * How often a fault fires. `fraction` (0..1) spreads evenly and deterministically: 0.25 hits exactly
 * every 4th request, so tests can count on it. `count` hits the next N requests, then stops. Both may
 * be given; a request is hit when either says so.
 */
export interface FaultRate {
  readonly fraction?: number | undefined;
  readonly count?: number | undefined;
}

/** Faults sts-local injects into STS action requests (never into `/_local/*`). */
export interface Faults {
  /** Delay before answering each request, in ms (a `[min, max]` pair draws uniformly). */
  readonly latencyMs?: number | readonly [number, number] | undefined;
  /** Answer 400 `Throttling` "Rate exceeded". */
  readonly throttle?: FaultRate | undefined;
  /** Answer a 5xx: 500 `InternalFailure` (default) or 503 `ServiceUnavailable`. */
  readonly serverError?: (FaultRate & { readonly status?: 500 | 503 | undefined }) | undefined;
  /** Close the connection without answering. */
  readonly drop?: FaultRate | undefined;
}

/** What to do to one request. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly drop: boolean;
  readonly throttle: boolean;
  readonly serverError: 500 | 503 | undefined;
}

class RateCounter {
  private credit = 0;
  private remaining: number;
  constructor(private readonly rate: FaultRate | undefined) {
    this.remaining = rate?.count ?? 0;
  }

  hit(): boolean {
    let hit = false;
    if (this.remaining > 0) {
      this.remaining--;
      hit = true;
    }
    const fraction = this.rate?.fraction ?? 0;
    if (fraction > 0) {
      this.credit += fraction;
      if (this.credit >= 1 - 1e-9) {
        this.credit -= 1;
        hit = true;
      }
    }
    return hit;
  }
}

function checkRate(rate: FaultRate | undefined, name: string): void {
  if (rate === undefined) return;
  const { fraction, count } = rate;
  if (fraction !== undefined && !(typeof fraction === 'number' && fraction >= 0 && fraction <= 1)) {
    throw new TypeError(`faults.${name}.fraction must be a number between 0 and 1`);
  }
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    throw new TypeError(`faults.${name}.count must be a non-negative integer`);
  }
}

/** Validates a faults object (throws `TypeError`). */
export function checkFaults(faults: Faults): void {
  if (typeof faults !== 'object' || faults === null) throw new TypeError('faults must be an object');
  assertKnownOptions(faults, ['latencyMs', 'throttle', 'serverError', 'drop'] satisfies (keyof Faults)[], 'faults.');
  const latency = faults.latencyMs;
  const okMs = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 600_000;
  if (latency !== undefined && !(Array.isArray(latency) ? latency.length === 2 && latency.every(okMs) && latency[0]! <= latency[1]! : okMs(latency))) {
    throw new TypeError('faults.latencyMs must be a number of ms or a [min, max] pair');
  }
  checkRate(faults.throttle, 'throttle');
  checkRate(faults.serverError, 'serverError');
  checkRate(faults.drop, 'drop');
  const status = faults.serverError?.status;
  if (status !== undefined && status !== 500 && status !== 503) throw new TypeError('faults.serverError.status must be 500 or 503');
}

/** Decides, request by request, which faults fire. Replaced wholesale by `setFaults`. */
export class FaultInjector {
  private readonly drop: RateCounter;
  private readonly throttle: RateCounter;
  private readonly serverError: RateCounter;

  constructor(private readonly faults: Faults = {}) {
    checkFaults(faults);
    this.drop = new RateCounter(faults.drop);
    this.throttle = new RateCounter(faults.throttle);
    this.serverError = new RateCounter(faults.serverError);
  }

  next(): FaultDecision {
    const latency = this.faults.latencyMs;
    const latencyMs = latency === undefined ? 0 : typeof latency === 'number' ? latency : latency[0] + Math.random() * (latency[1] - latency[0]);
    const drop = this.drop.hit();
    const throttle = !drop && this.throttle.hit();
    const serverError = !drop && !throttle && this.serverError.hit() ? (this.faults.serverError?.status ?? 500) : undefined;
    return { latencyMs, drop, throttle, serverError };
  }
}
