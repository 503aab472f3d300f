/**
 * Cache entries as Redis values: JSON with a format version. Whatever does not read back as an entry
 * of this version — a value written by another version, a truncated or foreign value — is a miss,
 * never an error and never half an identity.
 */
import { ERROR_CODES, type CacheEntry, type CallerIdErrorCode, type Identity } from '@callerid/core';
import { FORMAT_VERSION } from './keys.js';

interface StoredEntry {
  v: number;
  expiresAt: number;
  identity?: Identity;
  error?: CallerIdErrorCode;
}

/** The value stored for `entry`. */
export function encodeEntry(entry: CacheEntry): string {
  const stored: StoredEntry = { v: FORMAT_VERSION, expiresAt: entry.expiresAt };
  if (entry.identity) stored.identity = entry.identity;
  if (entry.error) stored.error = entry.error;
  return JSON.stringify(stored);
}

// The fields every Identity has as strings; a value without them is not one of ours.
const IDENTITY_STRINGS = ['arn', 'canonicalArn', 'accountId', 'partition', 'principalType', 'userId', 'tokenType', 'expiresAt'] as const;

/** The entry a stored value holds, or `undefined` for anything else. */
export function decodeEntry(value: unknown): CacheEntry | undefined {
  if (typeof value !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, expiresAt, identity, error } = parsed as Partial<StoredEntry>;
  if (v !== FORMAT_VERSION || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
  if (identity !== undefined && error === undefined && isIdentity(identity)) return { expiresAt, identity };
  if (error !== undefined && identity === undefined && typeof error === 'string' && Object.hasOwn(ERROR_CODES, error)) return { expiresAt, error };
  return undefined;
}

function isIdentity(value: unknown): value is Identity {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return IDENTITY_STRINGS.every((field) => typeof record[field] === 'string');
}
