/** The real sts-local the example tests verify against, and tokens minted for it. */
import { mintToken } from '@callerid/mint';
import { startStsLocal, type Principal, type StsLocal } from '@callerid/sts-local';
import { AUDIENCE, adminSession, alice, outsider, type Credentials } from './principals.js';

/** Starts sts-local on a free loopback port, knowing `principals` (default: alice, the admin session and the outsider). */
export function startDemoSts(principals: readonly Principal[] = [alice, adminSession, outsider]): Promise<StsLocal> {
  return startStsLocal({ principals });
}

/** A token minted with `credentials` for `audience` (signed for us-east-1). */
export async function tokenFor(credentials: Credentials, audience = AUDIENCE): Promise<string> {
  return (await mintToken({ audience, region: 'us-east-1', credentials })).token;
}
