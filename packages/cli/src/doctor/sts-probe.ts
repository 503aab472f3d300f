/**
 * Doctor steps 3–5: a real `GetCallerIdentity` call (the token, minted for the cluster, replayed to STS
 * by core's verifier exactly as a server would), who answered, and STS's clock from the `Date` header
 * of that same answer. The answer's headers are read from undici's diagnostics channel and the AWS
 * error code from core's `callerid:sts` channel (or the error's cause); neither carries request data.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, createVerifier, isCallerIdError, type Identity } from '@callerid/core';

/** What one STS round trip showed. */
export interface StsProbe {
  identity?: Identity;
  /** core's error code when STS (or the way to it) refused. */
  code?: string;
  /** The AWS error code STS answered with (ExpiredToken, SignatureDoesNotMatch, InvalidClientTokenId …). */
  stsCode?: string;
  status?: number;
  /** STS's clock minus ours, in ms (from the Date header; ±1 s resolution), when it answered. */
  skewMs?: number;
  stsDate?: string;
  endpoint: string;
}

interface UndiciHeadersMessage {
  request: { origin?: unknown };
  response: { statusCode: number; headers: Array<Buffer | string> };
}

/** Sends `token` to STS (`endpoint`, or the token's own STS host) for `audience`. */
export async function probeSts(token: string, audience: string, endpoint: string | undefined, stsHost: string): Promise<StsProbe> {
  const probe: StsProbe = { endpoint: endpoint ?? `https://${stsHost}` };
  const onHeaders = (message: unknown) => {
    const { response } = message as UndiciHeadersMessage;
    probe.status = response.statusCode;
    const headers = response.headers.map((part) => part.toString());
    const index = headers.findIndex((name, i) => i % 2 === 0 && name.toLowerCase() === 'date');
    const date = index === -1 ? undefined : headers[index + 1];
    const stsTime = date === undefined ? Number.NaN : Date.parse(date);
    if (Number.isFinite(stsTime)) {
      probe.stsDate = date;
      // Date has whole seconds (truncated): STS's clock was somewhere in the second that follows.
      probe.skewMs = stsTime + 500 - Date.now();
    }
  };
  const onSts = (message: unknown) => {
    const event = message as { stsCode?: unknown };
    if (typeof event.stsCode === 'string') probe.stsCode = event.stsCode;
  };
  subscribe('undici:request:headers', onHeaders);
  subscribe(DIAGNOSTICS_CHANNELS.sts, onSts);
  const verifier = createVerifier({ audience, cache: false, ...(endpoint === undefined ? {} : { stsEndpoint: endpoint }) });
  try {
    probe.identity = await verifier.verify(token);
  } catch (err) {
    if (!isCallerIdError(err)) throw err;
    probe.code = err.code;
    probe.stsCode ??= stsCodeOf(err);
  } finally {
    unsubscribe('undici:request:headers', onHeaders);
    unsubscribe(DIAGNOSTICS_CHANNELS.sts, onSts);
    await verifier.close();
  }
  return probe;
}

// Core's cause reads "STS answered HTTP 403 (ExpiredToken)." — the code only, never the message.
function stsCodeOf(err: Error): string | undefined {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? /^STS answered HTTP \d{3} \(([A-Za-z.]+)\)\.$/.exec(cause.message)?.[1] : undefined;
}
