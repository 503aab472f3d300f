/** The shared AWS CLI fixture: real `aws eks get-token` tokens over fake principals. */
import { fixturePrincipal as principal, tokenUrl } from '@callerid/test-harness';

export { awsCli as fixture, fixturePrincipal as principal } from '@callerid/test-harness';

/** The `X-Amz-Date` of a token, as the compact form `callerid --now` accepts. */
export function signedAtOf(token: string): string {
  const date = new URL(tokenUrl(token)).searchParams.get('X-Amz-Date');
  if (!date) throw new Error('fixture token without X-Amz-Date');
  return date;
}

/** The signature and session token of a token: what no output may ever contain. */
export function secretsOf(token: string): string[] {
  const url = new URL(tokenUrl(token));
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
