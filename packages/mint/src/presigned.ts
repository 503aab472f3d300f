import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest as SignedRequest } from '@smithy/types';
import { CallerIdError } from '@callerid/core';
import { AUDIENCE_PATTERN, encodePresignedToken, stsHostFor } from '@callerid/core/internal';
import { resolveCredentials, type CredentialsOption } from './credentials.js';
import { Sha256 } from './sha256.js';

/** Options for {@link mintToken}. */
export interface MintTokenOptions {
  /**
   * Who the token is for: the server's audience (for EKS, the cluster name). It is signed into the
   * token as the `x-k8s-aws-id` header, so a token for one audience is useless at any other.
   */
  audience: string;
  /** The STS region to sign for. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  region?: string;
  /** Static credentials or a provider. Default: `fromNodeProviderChain()` (loaded only when needed). */
  credentials?: CredentialsOption;
  /** `regional` (default): `sts.<region>.<suffix>`; `global`: the legacy `sts.amazonaws.com` (scope us-east-1). */
  endpoint?: 'regional' | 'global';
  /** Sign for the FIPS endpoint (`sts-fips.<region>.…`). */
  fips?: boolean;
  /** When the token is signed. Default: now. Tests use it to reproduce known tokens. */
  signingDate?: Date;
  /**
   * The URL's `X-Amz-Expires`, 60–900 (default 60, what every client sends). STS honours a presigned
   * `GetCallerIdentity` URL for 15 minutes whatever it says, so it changes nothing but the token: a
   * client that needs distinct tokens within one second (one-time tokens) varies it.
   */
  expiresInSeconds?: number;
}

/** A minted token and when clients should stop using it. */
export interface MintedToken {
  /** `k8s-aws-v1.` + base64url of the presigned URL. A bearer secret: never log it. */
  token: string;
  /** Sign time + 14 minutes, or the credentials' own expiry when that is earlier. */
  expiresAt: Date;
}

/** How long clients use a token: one minute less than the 15 minutes STS honours it. */
export const TOKEN_CLIENT_LIFETIME_MS = 14 * 60_000;

// What every client sends; STS honours the URL for 15 minutes regardless.
const PRESIGN_EXPIRES_SECONDS = 60;

// One signer per credentials object: the SDK's providers hand out the same object until they
// refresh, so the hot path allocates no signer (and escapes the session token once).
interface Signing {
  readonly signer: SignatureV4;
  readonly sessionTokenParam: string;
}
const signings = new WeakMap<AwsCredentialIdentity, Signing>();

function signingFor(credentials: AwsCredentialIdentity): Signing {
  let signing = signings.get(credentials);
  if (!signing) {
    signing = {
      signer: new SignatureV4({ credentials, region: 'us-east-1', service: 'sts', sha256: Sha256 }),
      sessionTokenParam: credentials.sessionToken ? `&X-Amz-Security-Token=${escapeUri(credentials.sessionToken)}` : '',
    };
    signings.set(credentials, signing);
  }
  return signing;
}

// The request to presign depends only on host and audience, and the signer never mutates it.
const requests = new Map<string, HttpRequest>();
const MAX_CACHED_REQUESTS = 256;

function requestFor(host: string, audience: string): HttpRequest {
  const key = `${host} ${audience}`;
  let request = requests.get(key);
  if (!request) {
    request = new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      // The signer does not add `host` itself; without it STS refuses the URL.
      headers: { host, 'x-k8s-aws-id': audience },
    });
    if (requests.size >= MAX_CACHED_REQUESTS) requests.clear();
    requests.set(key, request);
  }
  return request;
}

/**
 * Mints an EKS-style token (`k8s-aws-v1.…`), byte-for-byte what `aws eks get-token` produces: a SigV4
 * query-presigned `GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15`
 * with `x-k8s-aws-id: <audience>` signed.
 *
 * @example
 * ```ts
 * const { token, expiresAt } = await mintToken({ audience: 'payments-api', region: 'eu-west-1' });
 * await fetch(url, { headers: { authorization: `Bearer ${token}` } });
 * ```
 * @throws CallerIdError `mint_options_invalid`, `credentials_unavailable` or `mint_failed`.
 */
export async function mintToken(options: MintTokenOptions): Promise<MintedToken> {
  if (typeof options !== 'object' || options === null) throw invalidOption('The options must be an object.');
  const { audience, fips = false, endpoint = 'regional' } = options;
  if (typeof audience !== 'string' || !AUDIENCE_PATTERN.test(audience)) throw invalidOption('The audience must be 1-256 printable ASCII characters without spaces.');
  if (endpoint !== 'regional' && endpoint !== 'global') throw invalidOption('The endpoint must be "regional" or "global".');
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const sts = stsHostFor({ region, endpoint, fips: fips === true });
  if (!sts) throw invalidOption('The region, endpoint and fips options do not name a known STS endpoint.');
  const signingDate = options.signingDate ?? new Date();
  const expiresIn = options.expiresInSeconds ?? PRESIGN_EXPIRES_SECONDS;
  if (!Number.isInteger(expiresIn) || expiresIn < 60 || expiresIn > 900) throw invalidOption('expiresInSeconds must be an integer from 60 to 900.');
  if (!(signingDate instanceof Date) || Number.isNaN(signingDate.getTime())) throw invalidOption('The signing date is invalid.');

  const credentials = await resolveCredentials(options.credentials);
  const url = await presign(credentials, { host: sts.host, region: sts.region, audience, signingDate, expiresIn });

  const signedAt = Math.floor(signingDate.getTime() / 1000) * 1000;
  let expiresAt = signedAt + TOKEN_CLIENT_LIFETIME_MS;
  if (credentials.expiration) expiresAt = Math.min(expiresAt, credentials.expiration.getTime());
  return { token: encodePresignedToken(url), expiresAt: new Date(expiresAt) };
}

interface PresignTarget {
  host: string;
  region: string;
  audience: string;
  signingDate: Date;
  expiresIn: number;
}

async function presign(credentials: AwsCredentialIdentity, { host, region, audience, signingDate, expiresIn }: PresignTarget): Promise<string> {
  const { signer, sessionTokenParam } = signingFor(credentials);
  let signed: SignedRequest;
  try {
    signed = await signer.presign(requestFor(host, audience), { expiresIn, signingDate, signingRegion: region });
  } catch (cause) {
    throw new CallerIdError('mint_failed', { cause: redact(cause) });
  }
  const query = signed.query ?? {};
  const credential = query['X-Amz-Credential'];
  const date = query['X-Amz-Date'];
  const signedHeaders = query['X-Amz-SignedHeaders'];
  const signature = query['X-Amz-Signature'];
  if (typeof credential !== 'string' || typeof date !== 'string' || signedHeaders !== 'host;x-k8s-aws-id' || typeof signature !== 'string') {
    throw new CallerIdError('mint_failed');
  }
  // The parameter order of aws-iam-authenticator and `aws eks get-token`, so tokens match theirs exactly.
  return (
    `https://${host}/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256` +
    `&X-Amz-Credential=${escapeUri(credential)}&X-Amz-Date=${date}&X-Amz-Expires=${expiresIn}` +
    `&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id${sessionTokenParam}&X-Amz-Signature=${signature}`
  );
}

/** RFC 3986 escaping as SigV4 canonicalizes it (what `encodeURIComponent` leaves alone, minus `-_.~`). */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function invalidOption(message: string): CallerIdError {
  return new CallerIdError('mint_options_invalid', { message });
}

// A signer failure message could in principle quote its input; keep only the error's class.
function redact(cause: unknown): Error {
  return new Error(`Signing failed (${cause instanceof Error ? cause.name : typeof cause}).`);
}
