/**
 * `callerid verify`: verify a token exactly as a server would (core's `createVerifier`: presigned tokens
 * with STS, web identity JWTs against the `--issuer`'s JWKS) and print who it names. Exit 0 verified,
 * 1 rejected, 3 STS or issuer keys unavailable, 2 usage.
 */
import { PARTITION_IDS, createVerifier, isCallerIdError, type Identity, type Partition, type Verifier } from '@callerid/core';
import { UsageError, parseInstant, required } from '../args.js';
import { commandArgs } from '../command-args.js';
import { EXIT } from '../exit-codes.js';
import { formatIdentity } from '../identity-summary.js';
import { readTokenArgument } from '../input.js';
import { writeStderr, writeStdout } from '../output.js';

const COMMAND = 'verify';

/** Runs `callerid verify` with the arguments after the command name. */
export async function run(args: string[]): Promise<number> {
  const parsed = commandArgs(COMMAND, args, {
    audience: { type: 'string' },
    'sts-endpoint': { type: 'string' },
    now: { type: 'string' },
    partition: { type: 'string', multiple: true },
    issuer: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  }, 1);
  if (!parsed) return EXIT.ok;
  const { values, positionals } = parsed;
  const audience = required(COMMAND, 'audience', values.audience);
  const stsEndpoint = values['sts-endpoint'] ?? (process.env.CALLERID_STS_ENDPOINT || undefined);
  const now = values.now === undefined ? undefined : parseInstant(COMMAND, 'now', values.now);
  const verifier = verifierFor({
    audience,
    // An operator checking a token wants to know whose it is, whatever its partition; --partition
    // narrows this to what a given server accepts.
    allowedPartitions: (values.partition as Partition[] | undefined) ?? PARTITION_IDS,
    cache: false,
    ...(stsEndpoint === undefined ? {} : { stsEndpoint }),
    ...(now === undefined ? {} : { clock: () => now }),
    // Web identity JWTs: trusted issuers (exact), and the same audience.
    ...(values.issuer === undefined ? {} : { webIdentity: { issuers: values.issuer, audiences: [audience] } }),
  });
  let identity: Identity;
  try {
    const token = await readTokenArgument(COMMAND, positionals[0]);
    identity = await verifier.verify(token);
  } catch (err) {
    return reportRejection(err, values.json === true);
  } finally {
    await verifier.close();
  }
  writeStdout(values.json ? `${JSON.stringify(identity)}\n` : formatIdentity(identity));
  return EXIT.ok;
}

/** Core checks the options (endpoint, audience, partitions); its fixed messages become usage errors. */
function verifierFor(options: Parameters<typeof createVerifier>[0]): Verifier {
  try {
    return createVerifier(options);
  } catch (err) {
    if (err instanceof TypeError) throw new UsageError(err.message, COMMAND);
    throw err;
  }
}

/**
 * A rejection exits 1 and an unavailable STS exits 3, with `{"error":{"code","message"}}` on stdout
 * under `--json` and one line on stderr otherwise. Messages are core's fixed texts: never the token.
 */
function reportRejection(err: unknown, json: boolean): number {
  if (!isCallerIdError(err)) throw err;
  const unavailable = err.status === 503;
  if (json) writeStdout(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
  else {
    const what = unavailable ? `${err.code === 'jwks_unavailable' ? 'issuer keys' : 'STS'} unavailable` : 'rejected';
    const hint = err.code === 'web_identity_disabled' ? ' — pass --issuer <url> to verify web identity tokens' : '';
    writeStderr(`callerid verify: ${what}: ${err.message} (${err.code})${hint}\n`);
  }
  return unavailable ? EXIT.unavailable : EXIT.failed;
}
