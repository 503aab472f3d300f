/**
 * The STS half of verifying a presigned token: replay it (`sts-client.ts`), then read the caller from
 * the answer (`sts-response.ts`). Both modules are loaded with the first token that gets this far, so
 * an application that only answers cached tokens (or refuses bad ones locally) never loads them, nor
 * undici.
 */
import type { PresignedIdentity } from '../authz/identity.js';
import type { ParsedToken } from './parse.js';
import type * as StsClient from './sts-client.js';
import type * as StsResponse from './sts-response.js';

interface StsModules {
  client: typeof StsClient;
  response: typeof StsResponse;
}

let loaded: StsModules | undefined;
let loading: Promise<StsModules> | undefined;

function load(): Promise<StsModules> {
  loading ??= Promise.all([import('./sts-client.js'), import('./sts-response.js')]).then(([client, response]) => (loaded = { client, response }));
  return loading;
}

/** Asks STS about a locally validated token; resolves to the caller's identity or rejects with a `CallerIdError`. */
export async function checkWithSts(token: ParsedToken, config: StsClient.StsReplayConfig): Promise<PresignedIdentity> {
  const { client, response } = loaded ?? (await load());
  const body = await client.replayToSts(token, config);
  return response.identityFromStsResponse(body, token);
}
