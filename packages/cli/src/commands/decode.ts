/**
 * `callerid decode`: what a token holds and which local checks it passes — offline, nothing is sent.
 * Presigned `k8s-aws-v1.` tokens and AWS web identity JWTs. Exit 0 when every check passes, 1 when one
 * fails, 2 on usage errors.
 */
import { tokenKind } from '@callerid/core/internal';
import { parseInstant } from '../args.js';
import { commandArgs } from '../command-args.js';
import { buildJwtReport, jwtRawView, type JwtReport } from '../decode/jwt-report.js';
import { buildReport, type DecodeReport } from '../decode/report.js';
import { displayedSigningTime, rawView, type RawView } from '../decode/raw-view.js';
import { EXIT } from '../exit-codes.js';
import { readTokenArgument } from '../input.js';
import { writeStdout } from '../output.js';

const COMMAND = 'decode';

/** Runs `callerid decode` with the arguments after the command name. */
export async function run(args: string[]): Promise<number> {
  const parsed = commandArgs(COMMAND, args, {
    now: { type: 'string' },
    json: { type: 'boolean' },
  }, 1);
  if (!parsed) return EXIT.ok;
  const { values, positionals } = parsed;
  const now = values.now === undefined ? Date.now() : parseInstant(COMMAND, 'now', values.now);
  const token = await readTokenArgument(COMMAND, positionals[0]);
  if (tokenKind(token) === 'jwt') return decodeJwt(token, now, values.json === true);
  const raw = rawView(token);
  const report = buildReport(token, now, displayedSigningTime(raw));
  writeStdout(values.json ? `${JSON.stringify(toJson(token, report, raw, now))}\n` : toText(token, report, raw, now));
  return report.valid ? EXIT.ok : EXIT.failed;
}

function toJson(token: string, report: DecodeReport, raw: RawView | undefined, now: number): Record<string, unknown> {
  const { parsed } = report;
  return {
    length: token.length,
    ...(parsed
      ? {
          stsHost: parsed.stsHost,
          region: parsed.region,
          partition: parsed.partition,
          fips: parsed.fips,
          dualStack: parsed.dualStack,
          global: parsed.global,
          accessKeyId: parsed.accessKeyId,
          sessionToken: parsed.hasSessionToken ? 'present (hidden)' : 'absent',
          signature: '(hidden)',
          signedHeaders: parsed.signedHeaders,
          signedAt: parsed.signedAt.toISOString(),
          expiresAt: parsed.expiresAt.toISOString(),
          expiresInSeconds: parsed.expiresInSeconds,
        }
      : { unverified: raw ?? null }),
    now: new Date(now).toISOString(),
    fresh: report.fresh ?? null,
    valid: report.valid,
    checks: report.checks,
  };
}

function toText(token: string, report: DecodeReport, raw: RawView | undefined, now: number): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(16)}${value}`);
  const { parsed } = report;
  row('length', `${token.length} characters`);
  if (parsed) {
    row('sts host', parsed.stsHost);
    row('region', parsed.region);
    row('partition', parsed.partition);
    const variants = [parsed.global && 'global endpoint', parsed.fips && 'FIPS', parsed.dualStack && 'dual-stack'].filter(Boolean);
    if (variants.length) row('endpoint', variants.join(', '));
    row('access key id', `${parsed.accessKeyId} (informational: STS decides who signed)`);
    row('session token', parsed.hasSessionToken ? 'present (hidden)' : 'absent');
    row('signature', '(hidden)');
    row('signed headers', parsed.signedHeaders.join(';'));
    row('signed at', parsed.signedAt.toISOString());
    row('expires at', `${parsed.expiresAt.toISOString()} (STS honours the URL 15 minutes; X-Amz-Expires=${parsed.expiresInSeconds} is ignored)`);
    row('fresh', `${report.fresh ? 'yes' : 'no'} (as of ${new Date(now).toISOString()}${freshness(parsed.signedAt.getTime(), parsed.expiresAt.getTime(), now)})`);
  } else if (raw) {
    lines.push('unverified contents (as decoded; the token failed a check below):');
    if (raw.host) row('  host', raw.host);
    for (const [key, value] of Object.entries(raw.parameters)) row(`  ${key}`, value);
  }
  lines.push('checks:');
  for (const check of report.checks) {
    const detail = check.code ? `${check.code}: ${check.message}` : check.rule;
    lines.push(`  ${check.status.padEnd(12)}${check.name.padEnd(12)}${detail}`);
  }
  return `${lines.join('\n')}\n`;
}

function decodeJwt(token: string, now: number, json: boolean): number {
  const raw = jwtRawView(token);
  const iat = (raw?.payload as { iat?: unknown } | undefined)?.iat;
  const report = buildJwtReport(token, now, typeof iat === 'number' ? iat * 1000 : undefined);
  writeStdout(json ? `${JSON.stringify(jwtJson(token, report, raw, now))}\n` : jwtText(token, report, raw, now));
  return report.valid ? EXIT.ok : EXIT.failed;
}

function jwtJson(token: string, report: JwtReport, raw: ReturnType<typeof jwtRawView>, now: number): Record<string, unknown> {
  const { parsed } = report;
  return {
    type: 'web-identity',
    length: token.length,
    ...(parsed
      ? {
          algorithm: parsed.algorithm,
          keyId: parsed.keyId,
          issuer: parsed.issuer,
          subject: parsed.subject,
          audience: parsed.audience,
          accountId: parsed.accountId,
          principalType: parsed.principalType,
          issuedAt: parsed.issuedAt.toISOString(),
          expiresAt: parsed.expiresAt.toISOString(),
          lifetimeSeconds: parsed.lifetimeSeconds,
          jwtId: parsed.jwtId,
          claims: parsed.claims,
          signature: '(hidden; not checked)',
        }
      : { unverified: raw ?? null }),
    now: new Date(now).toISOString(),
    fresh: report.fresh ?? null,
    valid: report.valid,
    checks: report.checks,
  };
}

function jwtText(token: string, report: JwtReport, raw: ReturnType<typeof jwtRawView>, now: number): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(16)}${value}`);
  const { parsed } = report;
  row('type', 'AWS web identity JWT (unverified: decode never checks the signature)');
  row('length', `${token.length} characters`);
  if (parsed) {
    row('algorithm', `${parsed.algorithm} (kid ${parsed.keyId})`);
    row('issuer', parsed.issuer);
    row('subject', `${parsed.subject} (${parsed.principalType}, account ${parsed.accountId})`);
    row('audience', parsed.audience.join(', '));
    row('issued at', parsed.issuedAt.toISOString());
    row('expires at', `${parsed.expiresAt.toISOString()} (lifetime ${parsed.lifetimeSeconds} s)`);
    row('jwt id', parsed.jwtId);
    row('claims', JSON.stringify(parsed.claims));
    row('signature', '(hidden)');
    row('fresh', `${report.fresh ? 'yes' : 'no'} (as of ${new Date(now).toISOString()}${freshness(parsed.issuedAt.getTime(), parsed.expiresAt.getTime(), now)})`);
  } else if (raw) {
    lines.push('unverified contents (as decoded; the token failed a check below):');
    if (raw.header !== undefined) row('  header', JSON.stringify(raw.header).slice(0, 1_000));
    if (raw.payload !== undefined) row('  payload', JSON.stringify(raw.payload).slice(0, 4_000));
  }
  lines.push('checks:');
  for (const check of report.checks) {
    const detail = check.code ? `${check.code}: ${check.message}` : check.rule;
    lines.push(`  ${check.status.padEnd(12)}${check.name.padEnd(12)}${detail}`);
  }
  return `${lines.join('\n')}\n`;
}

function freshness(signedAt: number, expiresAt: number, now: number): string {
  const minutes = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;
  if (now < signedAt) return `; signed ${minutes(signedAt - now)} in the future`;
  if (now >= expiresAt) return `; expired ${minutes(now - expiresAt)} ago`;
  return `; ${minutes(expiresAt - now)} left`;
}
