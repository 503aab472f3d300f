/** Counts for one action. */
export interface ActionStats {
  /** Requests that arrived for this action. */
  requests: number;
  /** Answered 200. */
  accepted: number;
  /** Answered with an error (including injected faults) or dropped. */
  rejected: number;
  /** Rejections by STS error code (`SignatureDoesNotMatch`, `Throttling`, `Dropped`, …). */
  errors: Record<string, number>;
}

/** What `stats()` and `GET /_local/stats` return. */
export interface StsLocalStats {
  /** Per action: `GetCallerIdentity`, `AssumeRole`, and `Other` for anything else (unknown, missing or unparseable). */
  actions: Record<string, ActionStats>;
  totals: { requests: number; accepted: number; rejected: number };
}

/**
 * Action names counted under their own name; every other name is counted as `Other` (bounded memory).
 * `JWKS` and `OpenIDConfiguration` count the web identity issuer's well-known documents.
 */
export const COUNTED_ACTIONS = new Set(['GetCallerIdentity', 'AssumeRole', 'GetWebIdentityToken', 'JWKS', 'OpenIDConfiguration']);

/** In-process counters. */
export class StatsRecorder {
  private readonly actions = new Map<string, ActionStats>();
  private readonly totals = { requests: 0, accepted: 0, rejected: 0 };

  private bucket(action: string | undefined): ActionStats {
    const name = action !== undefined && COUNTED_ACTIONS.has(action) ? action : 'Other';
    let stats = this.actions.get(name);
    if (!stats) {
      stats = { requests: 0, accepted: 0, rejected: 0, errors: {} };
      this.actions.set(name, stats);
    }
    return stats;
  }

  record(action: string | undefined, outcome: { accepted: true } | { accepted: false; code: string }): void {
    const stats = this.bucket(action);
    stats.requests++;
    this.totals.requests++;
    if (outcome.accepted) {
      stats.accepted++;
      this.totals.accepted++;
    } else {
      stats.rejected++;
      this.totals.rejected++;
      stats.errors[outcome.code] = (stats.errors[outcome.code] ?? 0) + 1;
    }
  }

  /** A deep copy, safe to keep and compare. */
  snapshot(): StsLocalStats {
    const actions: Record<string, ActionStats> = {};
    for (const [name, s] of this.actions) actions[name] = { ...s, errors: { ...s.errors } };
    return { actions, totals: { ...this.totals } };
  }
}
