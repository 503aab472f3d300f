import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared/fixtures/aws-cli-tokens.json`: real AWS CLI v2 tokens and botocore-signed POSTs over fake keys. */
export const FIXTURE_FILE = fileURLToPath(new URL('../../../../../shared/fixtures/aws-cli-tokens.json', import.meta.url));

export interface FixturePrincipal {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
  account: string;
  arn: string;
  userId: string;
}

export interface FixtureToken {
  principal: string;
  region: string;
  audience: string;
  minter: string;
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

export interface Fixtures {
  principals: FixturePrincipal[];
  eksTokens: FixtureToken[];
  signedPostRequests: FixturePost[];
}

export const fixtures = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as Fixtures;

export function principalNamed(name: string): FixturePrincipal {
  const p = fixtures.principals.find((x) => x.name === name);
  if (!p) throw new Error(`no fixture principal ${name}`);
  return p;
}

/** Epoch ms of a `yyyymmddThhmmssZ` stamp. */
export function amzDateMs(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) throw new Error('bad stamp');
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** The signing instant of a presigned URL (its X-Amz-Date). */
export function signedAtOfUrl(url: string): number {
  return amzDateMs(new URL(url).searchParams.get('X-Amz-Date')!);
}

/** Decodes a `k8s-aws-v1.` token into its presigned URL. */
export function tokenUrl(token: string): string {
  return Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8');
}
