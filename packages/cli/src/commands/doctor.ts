/**
 * `callerid doctor`: the EKS "Unauthorized" triage in one command. Who am I (credentials, a real
 * GetCallerIdentity), can I mint (a token that passes callerid's own checks), is the clock right (STS's
 * Date header), which region and endpoint, and with `--server` whether the API server accepts the token
 * (a SelfSubjectReview, as `kubectl auth whoami`). Each step ✓/✗ with evidence and the next thing to
 * try; `--json` for scripts. Never prints a token, a signature, a secret or a session token.
 */
import { stsHostFor } from '@callerid/core/internal';
import { mintToken } from '@callerid/mint';
import { UsageError } from '../args.js';
import { commandArgs } from '../command-args.js';
import { selfSubjectReview } from '../doctor/api-server.js';
import { fail, reasonOf, skip, type Check } from '../doctor/check.js';
import { checkCredentials } from '../doctor/credentials.js';
import { apiServerCheck, clockCheck, identityCheck, mappingCheck, regionCheck, tokenCheck } from '../doctor/steps.js';
import { probeSts } from '../doctor/sts-probe.js';
import { EXIT } from '../exit-codes.js';
import { writeStdout } from '../output.js';
import { resolveRegionWithSource } from '../token/region.js';

const COMMAND = 'doctor';
/** The audience when no cluster is named: the steps up to the API server do not depend on it. */
const DEFAULT_AUDIENCE = 'callerid-doctor';

/** Runs `callerid doctor`. Exit 0 when every step passes (warnings allowed), 1 otherwise. */
export async function run(args: string[]): Promise<number> {
  const parsed = commandArgs(COMMAND, args, {
    'cluster-name': { type: 'string' },
    server: { type: 'string' },
    'certificate-authority': { type: 'string' },
    region: { type: 'string' },
    profile: { type: 'string' },
    'role-arn': { type: 'string' },
    'sts-endpoint': { type: 'string' },
    json: { type: 'boolean' },
  }, 0);
  if (!parsed) return EXIT.ok;
  const { values } = parsed;
  if (values.server !== undefined && values['cluster-name'] === undefined) throw new UsageError('--server needs --cluster-name (the token must be minted for that cluster)', COMMAND);
  if (values.server !== undefined && !/^https:\/\//.test(values.server)) throw new UsageError('--server must be an https:// URL', COMMAND);
  if (values['certificate-authority'] !== undefined && values.server === undefined) throw new UsageError('--certificate-authority needs --server', COMMAND);
  const checks = await diagnose({
    audience: values['cluster-name'] ?? DEFAULT_AUDIENCE,
    server: values.server,
    caFile: values['certificate-authority'],
    region: values.region,
    profile: values.profile,
    roleArn: values['role-arn'],
    stsEndpoint: values['sts-endpoint'] ?? (process.env.CALLERID_STS_ENDPOINT || process.env.AWS_ENDPOINT_URL_STS || undefined),
  });
  const ok = checks.every((check) => check.status === 'pass' || check.status === 'warn');
  writeStdout(values.json ? `${JSON.stringify({ ok, checks })}\n` : render(checks, ok));
  return ok ? EXIT.ok : EXIT.failed;
}

interface DoctorRequest {
  audience: string;
  server: string | undefined;
  caFile: string | undefined;
  region: string | undefined;
  profile: string | undefined;
  roleArn: string | undefined;
  stsEndpoint: string | undefined;
}

async function diagnose(request: DoctorRequest): Promise<Check[]> {
  const checks: Check[] = [];
  const { region, source } = await resolveRegionWithSource(request.region, request.profile);
  const stsHost = stsHostFor({ region })?.host;
  const { check, loaded } = await checkCredentials(request.profile, request.roleArn, region);
  checks.push(check, regionCheck(region, source, stsHost, request.stsEndpoint));
  const later = ['identity', 'token', 'clock', ...(request.server ? ['api-server'] : [])];
  if (!loaded || stsHost === undefined) return [...checks, ...later.map((name) => skip(name, 'needs the steps above'))];

  let minted;
  try {
    minted = await mintToken({ audience: request.audience, region, credentials: loaded.credentials });
  } catch (err) {
    return [...checks, fail('token', `could not mint a token: ${reasonOf(err)}`, ['check the cluster name and region']), ...later.filter((n) => n !== 'token').map((name) => skip(name, 'needs a token'))];
  }
  const probe = await probeSts(minted.token, request.audience, request.stsEndpoint, stsHost);
  checks.push(identityCheck(probe));
  const mapping = probe.identity && mappingCheck(probe.identity);
  if (mapping) checks.push(mapping);
  checks.push(tokenCheck(minted.token, request.audience, minted.expiresAt));
  checks.push(clockCheck(probe) ?? skip('clock', 'STS sent no Date header'));
  if (request.server) {
    const answer = await selfSubjectReview(request.server, request.caFile, minted.token);
    checks.push(apiServerCheck(request.server, answer, request.audience, probe.identity));
  }
  return checks;
}

const MARK: Record<Check['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

function render(checks: Check[], ok: boolean): string {
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${MARK[check.status]} ${check.name.padEnd(12)}${check.summary}`);
    if (check.status !== 'pass' || check.name === 'mapping') for (const next of check.next ?? []) lines.push(`    → ${next}`);
  }
  lines.push(ok ? '\nAll checks passed.' : '\nSome checks failed: start with the first ✗.');
  return `${lines.join('\n')}\n`;
}
