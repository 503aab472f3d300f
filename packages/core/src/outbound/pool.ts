/**
 * Who owns the connections of one kind of outbound request (STS replays, JWKS fetches) and how long
 * each request may take. The pool is created with its owner but opens nothing: the undici agent is
 * created (and undici loaded) on the first request, and closed by the owner's `close()`.
 */
import type { Dispatcher } from 'undici';

/** The bounds on one kind of outbound request. */
export interface OutboundLimits {
  /** Bound on connecting, on waiting for the headers and on each wait for the body, in ms. */
  readonly timeoutMs: number;
  /** undici's cap on the body (the reader caps it too, for dispatchers without this cap). */
  readonly maxResponseBytes: number;
  /** How long an idle connection is kept; undici's default when not set. */
  readonly keepAliveTimeoutMs?: number;
}

/** The per-request options that bound one request: a deadline and undici's header and body timeouts. */
export interface RequestTimeouts {
  readonly signal: AbortSignal;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
}

/** Thrown for a request made after `close()`; its owner reports it as its service being unavailable. */
export class OutboundClosedError extends Error {
  override readonly name = 'OutboundClosedError';
  readonly code = 'ERR_CALLERID_CLOSED';
}

/** One owner's outbound connections: a dispatcher it was given, or an agent of its own made on first use. */
export class OutboundPool {
  readonly limits: OutboundLimits;
  readonly #given: Dispatcher | undefined;
  #own: Promise<Dispatcher> | undefined;
  #closed = false;

  /** `given`: the caller's dispatcher, used as it is and never closed here. */
  constructor(limits: OutboundLimits, given?: Dispatcher) {
    this.limits = limits;
    this.#given = given;
  }

  /** The dispatcher to send a request through; rejects with {@link OutboundClosedError} after `close()`. */
  dispatcher(): Promise<Dispatcher> {
    if (this.#given) return Promise.resolve(this.#given);
    if (this.#closed) return Promise.reject(new OutboundClosedError('The verifier is closed.'));
    this.#own ??= import('./agent.js').then(({ createOutboundAgent }) => {
      // close() may have run while undici was loading: then no agent is made, so none is left open.
      if (this.#closed) throw new OutboundClosedError('The verifier is closed.');
      return createOutboundAgent(this.limits);
    });
    return this.#own;
  }

  /** The timeouts of one request: `signal` when the caller has its own deadline, else one of `timeoutMs`. */
  timeouts(signal?: AbortSignal | null): RequestTimeouts {
    const { timeoutMs } = this.limits;
    return { signal: signal ?? AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  }

  /** Closes the agent this pool made, if any; a given dispatcher stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    const own = this.#own;
    if (!own) return;
    const agent = await own.catch(() => undefined);
    await agent?.close();
  }
}
