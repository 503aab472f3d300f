/** The shared interop fixtures (`../shared/fixtures`), typed. */
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);

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
  execCredential?: { status: { expirationTimestamp: string; token: string } };
  token: string;
  presignedUrl: string;
}

export interface AwsCliFixtures {
  principals: FixturePrincipal[];
  eksTokens: FixtureEksToken[];
}

export const golden = JSON.parse(readFileSync(new URL('golden-vector.json', FIXTURES), 'utf8')) as GoldenVector;
export const awsCli = JSON.parse(readFileSync(new URL('aws-cli-tokens.json', FIXTURES), 'utf8')) as AwsCliFixtures;

export function principal(name: string): FixturePrincipal {
  const found = awsCli.principals.find((p) => p.name === name);
  if (!found) throw new Error(`no fixture principal ${name}`);
  return found;
}

/** Static credentials for a fixture principal, in the SDK's shape. */
export function credentialsOf(p: { accessKeyId: string; secretAccessKey: string; sessionToken: string | null }) {
  return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}) };
}

/** A query parameter of a presigned URL. */
export function queryParam(url: string, name: string): string {
  const value = new URL(url).searchParams.get(name);
  if (value === null) throw new Error(`no ${name}`);
  return value;
}

/** `20261122T093844Z` → Date. */
export function amzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error('bad amz date');
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** The signing time of a fixture URL, in epoch ms. */
export function signedAtOf(url: string): number {
  return amzDate(queryParam(url, 'X-Amz-Date')).getTime();
}
