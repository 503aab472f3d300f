/**
 * Doctor steps 2–7 after the credentials: region and endpoint, identity, what to map, the token's own
 * checks, clock skew and the API server. Each turns evidence into a verdict and the next thing to try
 * (the EKS "Unauthorized" symptom table: wrong cluster name, session ARN mapped instead of the role
 * ARN, role path, expired session, clock, wrong profile in this shell).
 */
import { PARTITION_IDS, parseArn, parseToken, type Identity } from '@callerid/core';
import { MAX_FUTURE_SKEW_MS } from '@callerid/core/internal';
import type { RegionSource } from '../token/region.js';
import type { ApiServerAnswer } from './api-server.js';
import { fail, pass, warn, type Check } from './check.js';
import type { StsProbe } from './sts-probe.js';

/** Region and STS endpoint, and which setting chose the region. */
export function regionCheck(region: string, source: RegionSource, stsHost: string | undefined, endpoint: string | undefined): Check {
  const evidence = { region, source, stsHost: stsHost ?? null, ...(endpoint ? { endpoint } : {}) };
  if (stsHost === undefined) return fail('region', `"${region}" (from ${source}) names no STS endpoint callerid knows`, ['check --region / AWS_REGION for a typo (e.g. us-west-2)'], evidence);
  const via = endpoint ? `, dialled at ${endpoint}` : '';
  if (source === 'default') {
    return warn('region', `none configured: using ${region} (STS ${stsHost}${via})`, ['set --region or AWS_REGION to the cluster\'s region (the token works from any region; a near one is faster and keeps working if us-east-1 has trouble)'], evidence);
  }
  return pass('region', `${region} (from ${source}); STS ${stsHost}${via}`, evidence);
}

/** The token callerid minted passes callerid's own local checks (what a server checks before STS). */
export function tokenCheck(token: string, audience: string, expiresAt: Date): Check {
  try {
    const parsed = parseToken(token, { allowedPartitions: PARTITION_IDS });
    return pass('token', `minted for "${audience}" and passes callerid's local checks; usable until ${expiresAt.toISOString()}`, {
      audience,
      stsHost: parsed.stsHost,
      signedAt: parsed.signedAt.toISOString(),
      expiresAt: expiresAt.toISOString(),
      sessionToken: parsed.hasSessionToken ? 'present (hidden)' : 'absent',
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    return fail('token', `minted but fails a local check (${code})`, ['run `callerid token … | callerid decode` to see which check fails'], { audience, code });
  }
}

const STS_HINTS: Record<string, string[]> = {
  ExpiredToken: ['the session credentials have expired: refresh them (aws sso login, assume the role again, or a new AWS_SESSION_TOKEN)'],
  InvalidClientTokenId: ['STS does not know this access key: deleted or deactivated, another partition, or a temporary key without its AWS_SESSION_TOKEN', 'is this the profile you meant? (AWS_PROFILE in this shell)'],
  SignatureDoesNotMatch: ['the secret key does not match the access key id, or the clock is off (see the clock step)'],
  AccessDenied: ['STS refused the call: an SCP or a permissions boundary may deny sts:GetCallerIdentity'],
};

/** Who the credentials are, from STS. */
export function identityCheck(probe: StsProbe): Check {
  if (probe.identity) {
    const { arn, accountId, principalType } = probe.identity;
    return pass('identity', `${arn} (account ${accountId}, ${principalType})`, { arn, accountId, principalType, endpoint: probe.endpoint });
  }
  const evidence = { endpoint: probe.endpoint, code: probe.code, ...(probe.status ? { status: probe.status } : {}), ...(probe.stsCode ? { stsCode: probe.stsCode } : {}) };
  const refused = probe.status !== undefined && probe.status >= 400 && probe.status < 500 && probe.code !== 'sts_throttled';
  if (!refused) {
    return fail('identity', `STS could not be asked (${probe.code ?? 'no answer'})`, ['check the network path to the STS endpoint (proxy, VPC endpoint, firewall), then try again'], evidence);
  }
  const what = probe.stsCode ? `${probe.status} ${probe.stsCode}` : `${probe.status}`;
  return fail('identity', `STS refused GetCallerIdentity (${what})`, STS_HINTS[probe.stsCode ?? ''] ?? ['run `callerid token … | callerid verify --audience …` to see the refusal'], evidence);
}

/** For a role session: the ARN to map in aws-auth or an access entry (never the session ARN). */
export function mappingCheck(identity: Identity): Check | undefined {
  if (identity.principalType !== 'assumed-role') return undefined;
  const arn = parseArn(identity.arn);
  const roleName = identity.roleName ?? arn.resource.split('/')[1] ?? '';
  const roleArn = `arn:${identity.partition}:iam::${identity.accountId}:role/${roleName}`;
  return pass('mapping', `a session of role ${roleName}: map ${roleArn}, not the session ARN`, { sessionArn: identity.arn, roleArn, sessionName: identity.sessionName ?? null }, [
    `aws-auth mapRoles: rolearn: ${roleArn} (aws-auth wants the ARN without the role's IAM path)`,
    `access entries take the role's full ARN, path included; the session ARN never shows the path: aws iam get-role --role-name ${roleName} --query Role.Arn`,
  ]);
}

/** Our clock against STS's Date header. */
export function clockCheck(probe: StsProbe): Check | undefined {
  if (probe.skewMs === undefined) return undefined;
  const seconds = Math.round(probe.skewMs / 1000);
  const evidence = { stsDate: probe.stsDate, skewSeconds: seconds };
  const describe = seconds === 0 ? 'matches STS\'s (to the second)' : `is ${Math.abs(seconds)} s ${seconds > 0 ? 'behind' : 'ahead of'} STS's`;
  // STS refuses a signature more than 15 minutes off; a callerid server refuses one over a minute in its future.
  if (Math.abs(probe.skewMs) > MAX_FUTURE_SKEW_MS) {
    return fail('clock', `this machine's clock ${describe}`, ['sync the clock (timedatectl set-ntp true, or your OS\'s time settings): tokens are signed with this clock'], evidence);
  }
  return pass('clock', `this machine's clock ${describe}`, evidence);
}

/** The API server's verdict on the token, with the likely causes of a 401/403. */
export function apiServerCheck(server: string, answer: ApiServerAnswer, audience: string, identity: Identity | undefined): Check {
  const evidence = { server, ...(answer.status ? { status: answer.status } : {}), ...(answer.error ? { error: answer.error } : {}) };
  if (answer.error) return fail('api-server', `no answer from ${server} (${answer.error})`, ['check --server and --certificate-authority (the cluster endpoint and its CA, from aws eks describe-cluster)'], evidence);
  if (answer.status === 200 || answer.status === 201) {
    const groups = answer.groups?.length ? ` (groups ${answer.groups.join(', ')})` : '';
    return pass('api-server', `accepts the token: you are "${answer.username ?? '?'}"${groups}`, { ...evidence, username: answer.username ?? null, groups: answer.groups ?? [] });
  }
  if (answer.status === 401) {
    const map = identity?.principalType === 'assumed-role' ? `the role ARN arn:${identity.partition}:iam::${identity.accountId}:role/${identity.roleName ?? '…'}` : identity ? identity.arn : 'the caller';
    return fail('api-server', `refuses the token: 401 Unauthorized (kubectl: "You must be logged in to the server")`, [
      `the token is for cluster "${audience}": is that the cluster's exact name? (--cluster-name must match, case and all)`,
      `is ${map} mapped? (aws-auth mapUsers/mapRoles, or an access entry: aws eks list-access-entries --cluster-name …)`,
      'a role mapped with its IAM path in aws-auth never matches: map it without the path',
      'expired session credentials or a skewed clock (see the steps above)',
      'the wrong profile in this shell: the exec block\'s env, AWS_PROFILE and the credentials step show which identity signed',
    ], evidence);
  }
  if (answer.status === 403) {
    return fail('api-server', 'knows who you are but forbids the review: 403 Forbidden (an RBAC decision, not authentication)', ['kubectl auth can-i --list; check the ClusterRoleBindings for your user and groups'], evidence);
  }
  return fail('api-server', `answered HTTP ${answer.status ?? '?'}`, ['is --server the cluster\'s API endpoint?'], evidence);
}
