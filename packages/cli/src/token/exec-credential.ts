/** What `callerid token` prints: a kubectl ExecCredential, the bare token, or `{token, expiresAt}`. */

/** The output formats of `callerid token`. */
export const TOKEN_FORMATS = ['exec-credential', 'token', 'json'] as const;
/**
 * What a mint prints: one of {@link TOKEN_FORMATS}, or `aws-cli` — the ExecCredential exactly as
 * `aws eks get-token --output json` prints it (4-space indent, then a blank line).
 */
export type TokenFormat = (typeof TOKEN_FORMATS)[number] | 'aws-cli';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';

/**
 * The ExecCredential `apiVersion` kubectl asked for in `KUBERNETES_EXEC_INFO` (v1 or v1beta1), and
 * v1beta1 when the variable is absent, not JSON, or names anything else.
 */
export function execCredentialApiVersion(execInfo: string | undefined): string {
  if (!execInfo) return V1BETA1;
  try {
    const apiVersion = (JSON.parse(execInfo) as { apiVersion?: unknown } | null)?.apiVersion;
    return apiVersion === V1 ? V1 : V1BETA1;
  } catch {
    return V1BETA1;
  }
}

/** RFC 3339 in UTC with whole seconds, as kubectl and `aws eks get-token` write it. */
export function rfc3339Seconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The text `callerid token` writes to stdout (with a trailing newline). */
export function formatToken(format: TokenFormat, token: string, expiresAt: Date, execInfo: string | undefined): string {
  switch (format) {
    case 'token':
      return `${token}\n`;
    case 'json':
      return `${JSON.stringify({ token, expiresAt: expiresAt.toISOString() })}\n`;
    case 'exec-credential':
      return `${JSON.stringify(execCredential(token, expiresAt, execInfo))}\n`;
    case 'aws-cli':
      return `${JSON.stringify(execCredential(token, expiresAt, execInfo), null, 4)}\n\n`;
  }
}

function execCredential(token: string, expiresAt: Date, execInfo: string | undefined) {
  return {
    kind: 'ExecCredential',
    apiVersion: execCredentialApiVersion(execInfo),
    spec: {},
    status: { expirationTimestamp: rfc3339Seconds(expiresAt), token },
  };
}
