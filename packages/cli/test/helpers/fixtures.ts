/** The shared AWS CLI fixture: real `aws eks get-token` tokens over fake principals. */
import { readFileSync } from 'node:fs';
import { FIXTURES } from './cli.js';

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
  token: string;
  execCredential: { status: { expirationTimestamp: string; token: string } };
}

export const fixture = JSON.parse(readFileSync(FIXTURES, 'utf8')) as { principals: FixturePrincipal[]; eksTokens: FixtureToken[] };

export function principal(name: string): FixturePrincipal {
  const found = fixture.principals.find((p) => p.name === name);
  if (!found) throw new Error(`no fixture principal ${name}`);
  return found;
}

/** The `X-Amz-Date` of a token, as the compact form `callerid --now` accepts. */
export function signedAtOf(token: string): string {
  const url = Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('latin1');
  const date = new URL(url).searchParams.get('X-Amz-Date');
  if (!date) throw new Error('fixture token without X-Amz-Date');
  return date;
}

/** The signature and session token of a token: what no output may ever contain. */
export function secretsOf(token: string): string[] {
  const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('latin1'));
  return [url.searchParams.get('X-Amz-Signature'), url.searchParams.get('X-Amz-Security-Token')].filter((v): v is string => !!v);
}

/** Environment variables that make `callerid token` sign as a fixture principal. */
export function envFor(name: string): Record<string, string> {
  const p = principal(name);
  return {
    AWS_ACCESS_KEY_ID: p.accessKeyId,
    AWS_SECRET_ACCESS_KEY: p.secretAccessKey,
    ...(p.sessionToken ? { AWS_SESSION_TOKEN: p.sessionToken } : {}),
  };
}
