import type { Partition } from '../authz/identity.js';

/**
 * The options of `createVerifier` that only presigned tokens (`k8s-aws-v1.…`) use: where and how the
 * token is replayed to STS. Web identity tokens have theirs under `webIdentity`.
 */
export interface PresignedOptions {
  /**
   * Dial STS here instead of the token's own host — a VPC endpoint, or sts-local at
   * `http://127.0.0.1:PORT`. The original `Host` is kept so the signature still holds. https, or http
   * to a loopback address only.
   */
  stsEndpoint?: string | URL;
  /** Partitions whose STS hosts are accepted. Default `['aws']`. */
  allowedPartitions?: readonly Partition[];
  /** Bound on one STS round trip (connect, headers, body), in ms. Default 5000. */
  timeoutMs?: number;
}
