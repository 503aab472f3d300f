/**
 * How verifiers that share one store (`sharedCache`) act as one: a verdict already in the store is
 * used as it is; otherwise one of them takes the key's lock and asks STS while the others wait for
 * its verdict, never longer than the verifier's timeout. Any trouble with the store — an error, a
 * timeout, an open circuit — makes a verifier verify on its own: a shared store can save STS calls,
 * never refuse or admit a caller.
 *
 * Each call reads the store first, and only a miss joins this process's flight for the key
 * (`coalesce`): a hit — the common case — is one read and nothing else, and concurrent calls for a
 * token that is not in the store yet cost one read each, then one lock attempt between them.
 */
import { randomUUID } from 'node:crypto';
import type { CacheEntry, CacheStore } from './cache.js';
import type { Identity } from '../authz/identity.js';

/** What the shared flight needs from its verifier. */
export interface SharedFlightConfig {
  store: CacheStore;
  /** Longest wait for another verifier's verdict, and how long a lock lives: the verifier's timeout. */
  waitMs: number;
  /** The answer for a verdict read from the store under `key`, or `undefined` when it is missing or lapsed. */
  answer: (key: string, entry: CacheEntry | undefined) => Identity | Promise<Identity> | undefined;
  /** The verdict of this process's flight for `key`, started by `start` unless one is in progress. */
  coalesce: (key: string, start: () => Promise<Identity>) => Promise<Identity>;
  /** Verifies a token without any cache. */
  verify: (token: string) => Promise<Identity>;
  /** The entry that records a verdict (a rejection worth remembering), or `undefined` for none. */
  entryOf: (verdict: { identity: Identity } | { error: unknown }) => CacheEntry | undefined;
  /** Milliseconds left before `entry` lapses, by the verifier's clock. */
  ttlOf: (entry: CacheEntry) => number;
}

/** The verdict for a token under `key`, through the shared store. */
export type SharedFlight = (token: string, key: string) => Promise<Identity>;

/** See {@link SharedFlightConfig}. */
export function createSharedFlight(config: SharedFlightConfig): SharedFlight {
  const { store, waitMs, answer, coalesce, verify, entryOf, ttlOf } = config;
  const ownerPrefix = randomUUID();
  let flights = 0;

  /** Stores the verdict (when there is one worth storing), then releases the lock. Never waited on. */
  function share(key: string, entry: CacheEntry | undefined, owner: string | undefined): void {
    const ttl = entry ? ttlOf(entry) : 0;
    const stored = entry && ttl > 0 ? settle(() => store.set(key, entry, ttl)) : Promise.resolve(undefined);
    if (owner && store.unlock) void stored.then(() => settle(() => store.unlock!(key, owner)));
  }

  function verifyAndShare(token: string, key: string, owner: string | undefined): Promise<Identity> {
    return verify(token).then(
      (identity) => {
        share(key, entryOf({ identity }), owner);
        return identity;
      },
      (error: unknown) => {
        share(key, entryOf({ error }), owner);
        throw error;
      },
    );
  }

  // Someone else may be asking STS: take the lock, or wait for the holder's verdict.
  async function contend(token: string, key: string): Promise<Identity> {
    if (!store.lock) return verifyAndShare(token, key, undefined);
    const owner = `${ownerPrefix}:${++flights}`;
    const locked = await settle(() => store.lock!(key, owner, waitMs));
    if (locked === true) return verifyAndShare(token, key, owner);
    // Someone else is asking STS (or the store is in trouble, and the wait ends at once).
    if (locked === false && store.waitFor) {
      const awaited = answer(key, await settle(() => store.waitFor!(key, waitMs)));
      if (awaited) return awaited;
    }
    return verifyAndShare(token, key, undefined);
  }

  const missed = (token: string, key: string) => coalesce(key, () => contend(token, key));

  // A verdict already in the store is the common case: one read, one reaction, no async frames.
  return function sharedFlight(token, key) {
    let stored: Promise<CacheEntry | undefined>;
    try {
      stored = Promise.resolve(store.get(key));
    } catch {
      return missed(token, key);
    }
    return stored.then(
      (entry) => answer(key, entry) ?? missed(token, key),
      () => missed(token, key),
    );
  };
}

/** A store call's result, or `undefined` when it threw or rejected (the store reports its own trouble). */
function settle<T>(call: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return Promise.resolve(call()).catch(() => undefined);
  } catch {
    return Promise.resolve(undefined);
  }
}
