// Built as its own file (dist/caller-identity.cjs): a GetCallerIdentity call, needed only by
// `--forward-session-name` (and `callerid doctor`), so the verifier never loads on the token path.
import { createVerifier, mintToken, type Identity, type MintTokenOptions } from '@callerid/core';

/** The audience of the throwaway token that asks STS who the credentials are. */
const SELF_CHECK_AUDIENCE = 'callerid-self-check';

/**
 * Who `credentials` are, from a real STS `GetCallerIdentity` call: a token minted with them, replayed to
 * STS by core's verifier (`endpoint`, else `AWS_ENDPOINT_URL_STS`, else `CALLERID_STS_ENDPOINT`, else
 * the token's own STS host).
 */
export async function callerIdentity(credentials: NonNullable<MintTokenOptions['credentials']>, region: string, endpoint?: string): Promise<Identity> {
  const { token } = await mintToken({ audience: SELF_CHECK_AUDIENCE, region, credentials });
  const stsEndpoint = endpoint ?? (process.env.AWS_ENDPOINT_URL_STS || process.env.CALLERID_STS_ENDPOINT || undefined);
  const verifier = createVerifier({ audience: SELF_CHECK_AUDIENCE, cache: false, ...(stsEndpoint === undefined ? {} : { stsEndpoint }) });
  try {
    return await verifier.verify(token);
  } finally {
    await verifier.close();
  }
}
