/**
 * Minting AWS web identity JWTs with `sts:GetWebIdentityToken`. The AWS SDK is imported lazily, on
 * the first mint, so that a server that only verifies never loads it.
 */
import { CallerIdError, type WebIdentityAlgorithm } from '@callerid/core';
import { parseStsEndpoint, tokenKind, WEB_IDENTITY_ALGORITHMS } from '@callerid/core/internal';
import { resolveCredentials, type CredentialsOption } from './credentials.js';

/** Options for {@link mintWebIdentityToken}; the limits are GetWebIdentityToken's own. */
export interface MintWebIdentityTokenOptions {
  /** The `aud` claim: 1 to 10 audiences of 1 to 1000 characters. */
  audience: string | string[];
  /** `RS256` or `ES384`. */
  signingAlgorithm: WebIdentityAlgorithm;
  /** 60 to 3600 seconds. AWS's default is 300. */
  durationSeconds?: number;
  /** Up to 50 request tags, added to the token as `request_tags`. */
  tags?: Record<string, string>;
  /** The STS region. Required: GetWebIdentityToken exists only on regional endpoints. */
  region: string;
  /** Credentials or a provider; default `fromNodeProviderChain()`. */
  credentials?: CredentialsOption;
  /**
   * An origin to send the request to instead of `https://sts.<region>.amazonaws.com` (a VPC endpoint,
   * or `@callerid/sts-local`). https only; http only for loopback addresses.
   */
  endpoint?: string;
}

/** A minted web identity token and when it expires. */
export interface MintedWebIdentityToken {
  token: string;
  expiresAt: Date;
}

// GetWebIdentityToken's typed errors, each with its own callerid code.
const AWS_ERRORS = {
  OutboundWebIdentityFederationDisabledException: 'outbound_federation_disabled',
  SessionDurationEscalationException: 'session_duration_escalation',
  JWTPayloadSizeExceededException: 'jwt_payload_too_large',
} as const;

const REGION = /^[a-z]{2,5}(-[a-z0-9]+)*-\d{1,2}$/;

/**
 * Mints an AWS web identity JWT for the caller's credentials with `GetWebIdentityToken`, on the
 * regional STS endpoint. Throws `CallerIdError`: `mint_options_invalid`, `credentials_unavailable`,
 * `outbound_federation_disabled`, `session_duration_escalation`, `jwt_payload_too_large` or `mint_failed`.
 *
 * @example
 * ```ts
 * const { token, expiresAt } = await mintWebIdentityToken({
 *   audience: 'https://api.example.com', signingAlgorithm: 'ES384', region: 'eu-west-1',
 * });
 * ```
 */
export async function mintWebIdentityToken(options: MintWebIdentityTokenOptions): Promise<MintedWebIdentityToken> {
  const input = toCommandInput(options);
  const endpoint = checkEndpoint(options.endpoint);
  const { STSClient, GetWebIdentityTokenCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient({
    region: options.region,
    useGlobalEndpoint: false,
    // Resolved (and checked) the way mintToken does; failures surface as credentials_unavailable.
    credentials: () => resolveCredentials(options.credentials),
    ...(endpoint ? { endpoint } : {}),
  });
  try {
    const output = await client.send(new GetWebIdentityTokenCommand(input));
    const token = output.WebIdentityToken;
    const expiresAt = output.Expiration;
    if (typeof token !== 'string' || tokenKind(token) !== 'jwt' || !(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
      throw new CallerIdError('mint_failed', { message: 'STS returned an unusable GetWebIdentityToken answer.' });
    }
    return { token, expiresAt };
  } catch (err) {
    throw toMintError(err);
  } finally {
    client.destroy();
  }
}

function toCommandInput(options: MintWebIdentityTokenOptions) {
  const invalid = (message: string) => new CallerIdError('mint_options_invalid', { message });
  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!Array.isArray(audience) || audience.length < 1 || audience.length > 10) throw invalid('audience must be 1 to 10 strings.');
  if (!audience.every((a) => typeof a === 'string' && a.length >= 1 && a.length <= 1000)) throw invalid('Each audience must be 1 to 1000 characters.');
  if (!WEB_IDENTITY_ALGORITHMS.includes(options.signingAlgorithm)) throw invalid('signingAlgorithm must be RS256 or ES384.');
  const { durationSeconds } = options;
  if (durationSeconds !== undefined && (!Number.isInteger(durationSeconds) || durationSeconds < 60 || durationSeconds > 3600)) {
    throw invalid('durationSeconds must be an integer from 60 to 3600.');
  }
  if (typeof options.region !== 'string' || !REGION.test(options.region)) throw invalid('region must be an AWS region such as us-east-1.');
  const tags = Object.entries(options.tags ?? {});
  if (tags.length > 50) throw invalid('At most 50 tags are allowed.');
  if (!tags.every(([key, value]) => key.length >= 1 && key.length <= 128 && typeof value === 'string' && value.length <= 256)) {
    throw invalid('Tag keys must be 1 to 128 characters and values at most 256.');
  }
  return {
    Audience: audience,
    SigningAlgorithm: options.signingAlgorithm,
    ...(durationSeconds !== undefined ? { DurationSeconds: durationSeconds } : {}),
    ...(tags.length > 0 ? { Tags: tags.map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}

function checkEndpoint(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  try {
    return parseStsEndpoint(endpoint).href;
  } catch {
    throw new CallerIdError('mint_options_invalid', { message: 'endpoint must be an https origin (http only for loopback addresses).' });
  }
}

function toMintError(err: unknown): CallerIdError {
  if (err instanceof CallerIdError) return err;
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && Object.hasOwn(AWS_ERRORS, name)) {
    return new CallerIdError(AWS_ERRORS[name as keyof typeof AWS_ERRORS], { cause: err });
  }
  if (name === 'CredentialsProviderError') return new CallerIdError('credentials_unavailable', { cause: err });
  return new CallerIdError('mint_failed', { cause: err });
}
