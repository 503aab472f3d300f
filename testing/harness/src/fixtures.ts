/**
 * The repository's `fixtures/` (see its README), typed, for every package's tests: the aws-iam-authenticator golden vector, and
 * tokens minted by the real AWS CLI v2 (`aws eks get-token`) plus POSTs signed by botocore, over fake
 * principals. The signatures are real SigV4: verify them with a clock set to their `X-Amz-Date`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = new URL('../../../fixtures/', import.meta.url);

/** The path of `aws-cli-tokens.json` (for tools that load it themselves, e.g. `callerid sts-local --principals`). */
export const AWS_CLI_FIXTURE_FILE = fileURLToPath(new URL('aws-cli-tokens.json', FIXTURES));

export interface GoldenVector {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
  region: string;
  audience: string;
  signingDate: string;
  expectedUrl: string;
  expectedToken: string;
  expectedExpiration: string;
}

export interface FixturePrincipal {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
  account: string;
  arn: string;
  userId: string;
}

export interface FixtureEksToken {
  principal: string;
  region: string;
  stsRegionalEndpoints: string;
  audience: string;
  minter: string;
  /** Present for the AWS CLI tokens (what `aws eks get-token` printed). */
  execCredential?: { status: { expirationTimestamp: string; token: string } };
  token: string;
  presignedUrl: string;
}

export interface FixturePost {
  principal: string;
  region: string;
  minter: string;
  method: 'POST';
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface AwsCliFixtures {
  principals: FixturePrincipal[];
  eksTokens: FixtureEksToken[];
  signedPostRequests: FixturePost[];
}

export const golden = JSON.parse(readFileSync(new URL('golden-vector.json', FIXTURES), 'utf8')) as GoldenVector;
export const awsCli = JSON.parse(readFileSync(AWS_CLI_FIXTURE_FILE, 'utf8')) as AwsCliFixtures;

/** The fixture principal called `name`. */
export function fixturePrincipal(name: string): FixturePrincipal {
  const found = awsCli.principals.find((p) => p.name === name);
  if (!found) throw new Error(`no fixture principal ${name}`);
  return found;
}

/** Static credentials for a fixture principal, in the SDK's shape. */
export function credentialsOf(p: { accessKeyId: string; secretAccessKey: string; sessionToken: string | null }) {
  return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}) };
}

/** Epoch ms of a `yyyymmddThhmmssZ` stamp. */
export function amzDateMs(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) throw new Error('bad amz date');
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** The presigned URL inside a `k8s-aws-v1.` token. */
export function tokenUrl(token: string): string {
  return Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8');
}

/** A query parameter of a presigned URL. */
export function queryParam(url: string, name: string): string {
  const value = new URL(url).searchParams.get(name);
  if (value === null) throw new Error(`no ${name}`);
  return value;
}

/** The signing instant of a presigned URL (its `X-Amz-Date`), in epoch ms. */
export function signedAtOfUrl(url: string): number {
  return amzDateMs(queryParam(url, 'X-Amz-Date'));
}
