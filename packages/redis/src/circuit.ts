/**
 * The one place that bounds what Redis may cost a request: every operation gets a short deadline,
 * and after a few consecutive failures the circuit opens — operations then fail at once, without
 * touching the client — until a cool-down has passed and one probe succeeds (automatic recovery).
 * Transitions and failures are published on the `callerid:store` diagnostics channel.
 */
import diagnostics from 'node:diagnostics_channel';

/** What `callerid:store` carries (the `StoreEvent` of `@callerid/core`). */
export interface StoreEvent {
  store: string;
  operation: string;
  outcome: 'error' | 'timeout' | 'circuit_open' | 'recovered';
  cause?: string;
}

const storeChannel = diagnostics.channel('callerid:store');

/** Why an operation was not done: the store answers with this instead of waiting. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export interface CircuitOptions {
  /** Deadline of one operation, in ms. */
  operationTimeoutMs: number;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe may pass, in ms. */
  cooldownMs: number;
}

/** Runs store operations under a deadline and a circuit breaker. */
export class Circuit {
  readonly #options: CircuitOptions;
  readonly #store: string;
  #failures = 0;
  #openUntil = 0;
  #probing = false;

  constructor(store: string, options: CircuitOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Whether operations fail fast right now. */
  get open(): boolean {
    return this.#failures >= this.#options.failureThreshold;
  }

  /**
   * Runs `operation` (named for diagnostics) unless the circuit is open; rejects with a
   * {@link StoreUnavailableError} when it is, when `ready` is false (the client is reconnecting, and
   * would only queue the command), or when the operation misses its deadline.
   */
  run<T>(operation: string, ready: boolean, call: () => Promise<T>): Promise<T> {
    if (this.open) {
      if (this.#probing || performance.now() < this.#openUntil) return Promise.reject(new StoreUnavailableError('circuit open'));
      this.#probing = true;
    }
    if (!ready) return Promise.reject(this.#failed(operation, 'error', new StoreUnavailableError('client not ready')));
    return this.#withDeadline(operation, call);
  }

  #withDeadline<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Whichever comes first counts: a late answer to an operation that timed out changes nothing.
      let settled = false;
      // The deadline measures Redis, not this process: it is checked after the event loop's next I/O
      // phase (a reply that arrived while the loop was busy is read first), and a timer that fired
      // late — the process itself was stalled — grants one more period before the operation fails.
      const { operationTimeoutMs } = this.#options;
      const armed = performance.now();
      let graced = false;
      const expire = (): void => {
        if (settled) return;
        if (!graced && performance.now() - armed > operationTimeoutMs * 1.5) {
          graced = true;
          timer = setTimeout(expire, operationTimeoutMs);
          return;
        }
        settled = true;
        reject(this.#failed(operation, 'timeout', new StoreUnavailableError('operation timed out')));
      };
      let timer = setTimeout(() => setImmediate(expire), operationTimeoutMs);
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(this.#failed(operation, 'error', error));
      };
      let pending: Promise<T>;
      try {
        pending = call();
      } catch (error) {
        fail(error);
        return;
      }
      pending.then((value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#succeeded(operation);
        resolve(value);
      }, fail);
    });
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
    return error instanceof Error ? error : new StoreUnavailableError(causeOf(error));
  }

  #publish(event: StoreEvent): void {
    if (storeChannel.hasSubscribers) storeChannel.publish(event);
  }
}

// The error's name and message only: a Redis error never carries a token (keys are digests).
function causeOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'unknown error';
}
