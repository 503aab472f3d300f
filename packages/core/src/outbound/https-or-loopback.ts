/**
 * Where callerid may dial: https anywhere; plain http only to a loopback address (tests, sts-local,
 * a sidecar). One rule for the STS endpoint, the JWKS URLs and the web identity issuers.
 */

/**
 * Whether a URL hostname (as `URL#hostname` spells it) is a loopback address: `localhost`, `[::1]`
 * or any `127.x.x.x`. Only literal forms count; nothing is resolved.
 */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Whether `url`'s scheme is allowed for its host: `https:`, or `http:` to a loopback address. */
export function isHttpsOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}

/** Whether `url` may be fetched: {@link isHttpsOrLoopback}, and no credentials in it. */
export function isAllowedFetchUrl(url: URL): boolean {
  return !url.username && !url.password && isHttpsOrLoopback(url);
}
