/**
 * Where each thing lives in Redis. Every key of one token shares a hash tag — the core's key, a
 * base64url SHA-256 — so they sit in one Cluster slot and a poll can read the verdict and the lock in
 * one MGET. The format version is part of the prefix: a later format writes beside this one instead
 * of being misread by it.
 */

/** The layout version of keys and values. */
export const FORMAT_VERSION = 2;

export interface KeyLayout {
  /** The verdict (a versioned JSON {@link CacheEntry}). */
  verdict(key: string): string;
  /** The single-flight lock: the owner of the flight. */
  lock(key: string): string;
  /** A one-time token's "used" mark. */
  used(key: string): string;
}

/** The key layout under `prefix` (default `callerid`). */
export function keyLayout(prefix: string): KeyLayout {
  const base = `${prefix}:v${FORMAT_VERSION}:`;
  return {
    verdict: (key) => `${base}{${key}}:verdict`,
    lock: (key) => `${base}{${key}}:lock`,
    used: (key) => `${base}{${key}}:used`,
  };
}
