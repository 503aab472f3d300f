/**
 * What a token that fails parsing appears to hold, for a person debugging it. Display only — it
 * decides nothing and is labelled unverified — and it shows only the host and non-secret parameters:
 * never the signature, the session token, or unknown parameters (which could be either in disguise).
 */

/** Parameters whose values are safe to show. */
const SHOWN = new Set(['Action', 'Version', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders']);
const MAX_VALUE = 200;

/** The best-effort decoded view of a token. */
export interface RawView {
  host?: string;
  /** Shown parameters by name; other parameter names map to `"(hidden)"`. */
  parameters: Record<string, string>;
}

/** Decodes leniently for display; `undefined` when it is not even a base64url URL. */
export function rawView(token: string): RawView | undefined {
  if (!token.startsWith('k8s-aws-v1.')) return undefined;
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('latin1'));
  } catch {
    return undefined;
  }
  const parameters: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    const name = key.slice(0, 64);
    parameters[name] = SHOWN.has(key) ? value.slice(0, MAX_VALUE) : '(hidden)';
  }
  return { host: url.host.slice(0, 255), parameters };
}

/** The `X-Amz-Date` of a token as epoch ms, for display; `undefined` when absent or malformed. */
export function displayedSigningTime(view: RawView | undefined): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(view?.parameters['X-Amz-Date'] ?? '');
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
