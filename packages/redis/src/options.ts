import { assertKnownOptions } from '@callerid/core';
import { optionKeys } from '@callerid/core/internal';
import type { RedisCommandClient } from './store.js';

/** Options for {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected node-redis client: `createClient()`, `createCluster()` or `createSentinel()` (v5 or
   * v6). The application owns it: the store never connects, reconnects or closes it.
   */
  client: RedisCommandClient;
  /** The first part of every key (then the format version: `callerid:v2:{…}:verdict`). Default `"callerid"`. */
  prefix?: string;
  /** Deadline of one Redis operation, in ms; a miss counts as a failure. Default 50. */
  operationTimeoutMs?: number;
  /** Consecutive failures after which the circuit opens and Redis is left alone. Default 3. */
  failureThreshold?: number;
  /** How long an open circuit waits before one probe may pass, in ms. Default 1000. */
  cooldownMs?: number;
  /** First interval of a waiter's polls for another instance's verdict, in ms (doubling up to 8×). Default 5. */
  pollIntervalMs?: number;
}

/** Every option of {@link createRedisStore} (a missing name is a compile error). */
const KNOWN = optionKeys<RedisStoreOptions>()(['client', 'prefix', 'operationTimeoutMs', 'failureThreshold', 'cooldownMs', 'pollIntervalMs']);
const COMMANDS = ['get', 'set', 'del', 'mGet', 'eval'] as const;

/** Checked options with their defaults (internal). */
export type RedisStoreSettings = Required<RedisStoreOptions>;

export function checkRedisStoreOptions(options: RedisStoreOptions): RedisStoreSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisStore needs an options object.');
  assertKnownOptions(options, KNOWN);
  const { client, prefix = 'callerid', operationTimeoutMs = 50, failureThreshold = 3, cooldownMs = 1_000, pollIntervalMs = 5 } = options;
  if (typeof client !== 'object' || client === null || !COMMANDS.every((c) => typeof (client as unknown as Record<string, unknown>)[c] === 'function')) {
    throw new TypeError('client must be a node-redis client (createClient, createCluster or createSentinel).');
  }
  if (typeof prefix !== 'string' || !/^[\w.:-]{1,64}$/.test(prefix)) throw new TypeError('prefix must be 1-64 characters of [A-Za-z0-9_.:-].');
  const bounded = (name: string, value: number, min: number, max: number): number => {
    if (!Number.isFinite(value) || value < min || value > max) throw new TypeError(`${name} must be between ${min} and ${max}.`);
    return value;
  };
  return {
    client,
    prefix,
    operationTimeoutMs: bounded('operationTimeoutMs', operationTimeoutMs, 1, 60_000),
    failureThreshold: bounded('failureThreshold', failureThreshold, 1, 1_000),
    cooldownMs: bounded('cooldownMs', cooldownMs, 1, 600_000),
    pollIntervalMs: bounded('pollIntervalMs', pollIntervalMs, 1, 1_000),
  };
}
