/**
 * The one place that bounds what Redis may cost a request: every operation gets a short deadline,
 * and after a few consecutive failures the circuit opens — operations then fail at once, without
 * touching the client — until a cool-down has passed and one probe succeeds (automatic recovery).
 * Transitions and failures are published on the `callerid:store` diagnostics channel.
 */
import diagnostics from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, type StoreEvent } from '@callerid/core';

const storeChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.store);

/** Why the store gave up on an operation: its deadline passed, the client is reconnecting, or the circuit is open. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  /** `ETIMEDOUT`, `ENOTREADY` or `ECIRCUITOPEN`. */
  readonly code: 'ETIMEDOUT' | 'ENOTREADY' | 'ECIRCUITOPEN';

  constructor(code: StoreUnavailableError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export interface CircuitOptions {
  /** Deadline of one operation, in ms. */
  operationTimeoutMs: number;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe may pass, in ms. */
  cooldownMs: number;
}

/** One operation in flight: settled by its answer, its failure or its deadline, whichever comes first. */
interface PendingOperation {
  readonly operation: string;
  /** `performance.now()` after which the operation has failed. */
  readonly at: number;
  /** Settled: answered, failed or expired. */
  done: boolean;
  /** Turns the answer into what `run` resolves to, in the reaction that settles it (not one more `then`). */
  readonly map: ((value: unknown) => unknown) | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Runs store operations under a deadline and a circuit breaker. */
export class Circuit {
  readonly #options: CircuitOptions;
  readonly #store: string;
  #failures = 0;
  #openUntil = 0;
  #probing = false;
  // Pending operations in the order they started — the order of their deadlines — from #head on.
  #queue: PendingOperation[] = [];
  #head = 0;
  readonly #tick: number;
  #sweeper: NodeJS.Timeout | undefined;
  #lastSweep = 0;

  constructor(store: string, options: CircuitOptions) {
    this.#store = store;
    this.#options = options;
    this.#tick = Math.max(5, Math.round(options.operationTimeoutMs / 5));
  }

  /** Whether operations fail fast right now. */
  get open(): boolean {
    return this.#failures >= this.#options.failureThreshold;
  }

  /**
   * Runs `operation` (named for diagnostics) unless the circuit is open, and resolves to its answer
   * passed through `map` when given; rejects with a {@link StoreUnavailableError} when the circuit is
   * open, when `ready` is false (the client is reconnecting, and would only queue the command), or
   * when the operation misses its deadline.
   */
  run<T, R = T>(operation: string, ready: boolean, call: () => Promise<T>, map?: (value: T) => R): Promise<R> {
    if (this.open) {
      if (this.#probing || performance.now() < this.#openUntil) return Promise.reject(new StoreUnavailableError('ECIRCUITOPEN', 'circuit open'));
      this.#probing = true;
    }
    if (!ready) return Promise.reject(this.#failed(operation, 'error', new StoreUnavailableError('ENOTREADY', 'client not ready')));
    return new Promise<R>((resolve, reject) => {
      const pending: PendingOperation = {
        operation,
        at: performance.now() + this.#options.operationTimeoutMs,
        done: false,
        map: map as ((value: unknown) => unknown) | undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      let answer: Promise<T>;
      try {
        answer = call();
      } catch (error) {
        this.#settleFailed(pending, 'error', error);
        return;
      }
      this.#watch(pending);
      // Whichever comes first counts: a late answer to an operation that timed out changes nothing.
      answer.then(
        (value) => this.#settleAnswered(pending, value),
        (error: unknown) => this.#settleFailed(pending, 'error', error),
      );
    });
  }

  #settleAnswered(pending: PendingOperation, value: unknown): void {
    if (pending.done) return;
    pending.done = true;
    this.#succeeded(pending.operation);
    pending.resolve(pending.map ? pending.map(value) : value);
  }

  #settleFailed(pending: PendingOperation, outcome: 'error' | 'timeout', error: unknown): void {
    if (pending.done) return;
    pending.done = true;
    pending.reject(this.#failed(pending.operation, outcome, error));
  }

  // One sweeping interval for every pending operation (they expire in the order they started, all
  // having the same deadline) instead of a timer each: the hot path pays an array push.
  #watch(pending: PendingOperation): void {
    this.#queue.push(pending);
    if (this.#queue.length - this.#head > 1_024) this.#compact();
    if (this.#sweeper !== undefined) return;
    this.#lastSweep = performance.now();
    this.#sweeper = setInterval(() => this.#sweep(), this.#tick);
    this.#sweeper.unref();
  }

  #sweep(): void {
    const now = performance.now();
    // A sweep that comes late means this process was stalled, not Redis: replies that arrived meanwhile
    // are read before anything expires, unless an operation is already past twice its deadline.
    const grace = now - this.#lastSweep > 2 * this.#tick + 10 ? this.#options.operationTimeoutMs : 0;
    this.#lastSweep = now;
    const queue = this.#queue;
    for (; this.#head < queue.length; this.#head++) {
      const pending = queue[this.#head]!;
      if (pending.done) continue;
      if (pending.at + grace > now) break;
      this.#settleFailed(pending, 'timeout', new StoreUnavailableError('ETIMEDOUT', 'operation timed out'));
    }
    this.#compact();
    if (this.#queue.length === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  // Drops settled operations from the front of the queue.
  #compact(): void {
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.done) this.#head++;
    if (this.#head === 0) return;
    this.#queue = this.#queue.slice(this.#head);
    this.#head = 0;
  }

  #succeeded(operation: string): void {
    if (this.#failures === 0) return;
    const wasOpen = this.open;
    this.#failures = 0;
    this.#probing = false;
    if (wasOpen) this.#publish({ store: this.#store, operation, outcome: 'recovered' });
  }

  #failed(operation: string, outcome: 'error' | 'timeout', error: unknown): Error {
    const wasOpen = this.open;
    this.#failures += 1;
    this.#probing = false;
    if (this.open) this.#openUntil = performance.now() + this.#options.cooldownMs;
    if (!wasOpen) this.#publish({ store: this.#store, operation, outcome, cause: causeOf(error) });
    if (!wasOpen && this.open) this.#publish({ store: this.#store, operation, outcome: 'circuit_open' });
    return error instanceof Error ? error : new TypeError(`redis: a command failed with a non-Error (${causeOf(error)})`);
  }

  #publish(event: StoreEvent): void {
    if (storeChannel.hasSubscribers) storeChannel.publish(event);
  }
}

// An error's class and code, as core reports causes (`StoreUnavailableError (ETIMEDOUT)`), never its
// message: keys are digests, but a message is the client's text, not ours.
function causeOf(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_.]{1,64}$/.test(code) ? `${name} (${code})` : name;
}
