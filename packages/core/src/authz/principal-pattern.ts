/**
 * Principal ARN patterns as written in configuration (`allow.principals`, `map[].arn`), compiled once
 * into an anchored matcher. Patterns are configuration, not request data, so a bad one throws a
 * `TypeError` at start-up rather than turning into a policy that silently never (or always) matches.
 *
 * Grammar: `arn:<partition>:<iam|sts>::<12-digit account>:<type>/<rest>` where partition, service,
 * account and type are always literal — partition and account are part of every match. In `<rest>`:
 * - a `*` matches any run of characters within one `/`-separated segment (`role/team-*`; a segment that
 *   is only `*` stands for any one path segment);
 * - a `*` that ends the pattern also matches across segments (`user/*` matches `user/eng/alice`);
 * - every other character is literal (`.` and `+` are not regex operators; there is no `?`).
 * Matching is case-sensitive, like IAM policy ARNs.
 */
import type { Identity, Partition } from './identity.js';

const PARTITIONS: Readonly<Record<Partition, true>> = {
  aws: true,
  'aws-cn': true,
  'aws-us-gov': true,
  'aws-iso': true,
  'aws-iso-b': true,
  'aws-iso-e': true,
  'aws-iso-f': true,
  'aws-eusc': true,
};

/** Principal types by the service that names them; the type segment is never a glob. */
const TYPES: Readonly<Record<'iam' | 'sts', readonly string[]>> = {
  iam: ['user', 'role', 'root'],
  sts: ['assumed-role', 'federated-user'],
};

// IAM names use [\w+=,.@-]; paths add '/'; patterns add '*'. Anything else is a typo or an attempt at
// a syntax we do not have (a regex, a '?'), so it is refused rather than taken literally.
const ARN_RE = /^arn:([a-z-]+):(iam|sts)::(\d{12}):([A-Za-z0-9+=,.@_/*-]+)$/;

/** A principal pattern split into its parts. */
export interface PrincipalPattern {
  readonly source: string;
  readonly partition: Partition;
  readonly service: 'iam' | 'sts';
  readonly accountId: string;
  /** `user`, `role`, `root`, `assumed-role` or `federated-user`. */
  readonly type: string;
  /** The segments after the type (path segments then name; for assumed roles: role then session). */
  readonly segments: readonly string[];
}

/** Parses a configured principal ARN (pattern), throwing a `TypeError` that names what is wrong. */
export function parsePrincipalPattern(source: string, where: string): PrincipalPattern {
  const m = typeof source === 'string' ? ARN_RE.exec(source) : null;
  if (!m) throw new TypeError(`${where}: ${JSON.stringify(source)} is not an ARN of the form arn:<partition>:<iam|sts>::<12-digit account>:<type>/<name>`);
  const [, partition, service, accountId, resource] = m as unknown as [string, string, 'iam' | 'sts', string, string];
  if (!Object.hasOwn(PARTITIONS, partition)) throw new TypeError(`${where}: unknown partition "${partition}" in ${JSON.stringify(source)}`);
  const [type = '', ...segments] = resource.split('/');
  if (!TYPES[service].includes(type)) {
    throw new TypeError(`${where}: ${JSON.stringify(source)} must name a principal type (${TYPES[service].join(', ')}) literally after "${service}::<account>:"`);
  }
  if (type === 'root' ? segments.length > 0 : segments.length === 0 || segments.some((s) => s === '')) {
    throw new TypeError(`${where}: ${JSON.stringify(source)} has an empty or missing name segment`);
  }
  if (type === 'assumed-role' && segments.length !== 2 && !resource.endsWith('*')) {
    throw new TypeError(`${where}: ${JSON.stringify(source)} must be assumed-role/<role>/<session> (assumed-role ARNs carry no IAM path)`);
  }
  return { source, partition: partition as Partition, service, accountId, type, segments };
}

/** Options for {@link compilePrincipalPattern}. */
export interface PrincipalMatchOptions {
  /**
   * Let a role pattern match any role of that account with the same *name*, whatever its IAM path.
   * Needed because STS reports assumed roles without their path (`role/team/Admin` is seen as
   * `role/Admin`). Safe only because role names are unique within an account, so it is refused for
   * a pattern that has a path and a glob in the name.
   */
  matchRoleByName?: boolean;
}

/** A compiled pattern: which identity ARN it looks at, and the anchored expression. */
export interface PrincipalMatcher {
  readonly source: string;
  /** `sts` patterns (sessions, federated users) look at `identity.arn`; `iam` ones at `canonicalArn`. */
  readonly field: 'arn' | 'canonicalArn';
  readonly regex: RegExp;
}

/** Compiles one configured pattern into a matcher (see the module comment for the grammar). */
export function compilePrincipalPattern(source: string, options: PrincipalMatchOptions = {}, where = 'allow.principals'): PrincipalMatcher {
  const p = parsePrincipalPattern(source, where);
  const head = `arn:${p.partition}:${p.service}::${p.accountId}:${p.type}`;
  let body: string;
  if (p.type === 'root') {
    body = '';
  } else if (options.matchRoleByName && p.type === 'role' && !p.segments.at(-1)!.includes('*')) {
    // Any path (or none), then exactly this name: role names are unique within an account.
    body = `/(?:.*/)?${escape(p.segments.at(-1)!)}`;
  } else if (options.matchRoleByName && p.type === 'role' && p.segments.length > 1) {
    throw new TypeError(`${where}: ${JSON.stringify(source)} cannot match by role name: its name is a glob, and the path that narrows it is not reported for assumed roles`);
  } else {
    body = `/${globRest(p.segments)}`;
  }
  return { source, field: p.service === 'sts' ? 'arn' : 'canonicalArn', regex: new RegExp(`^${escape(head)}${body}$`) };
}

/** Whether a compiled matcher admits `identity`. */
export function matchesPrincipal(matcher: PrincipalMatcher, identity: Identity): boolean {
  const value = identity[matcher.field];
  return typeof value === 'string' && matcher.regex.test(value);
}

function globRest(segments: readonly string[]): string {
  return segments.map((s, i) => globSegment(s, i === segments.length - 1)).join('/');
}

// Inside a segment `*` never crosses '/'; a `*` that ends the whole pattern does.
function globSegment(segment: string, last: boolean): string {
  const parts = segment.split('*').map(escape);
  if (last && segment.endsWith('*')) return parts.slice(0, -1).join('[^/]*') + '.*';
  return parts.join('[^/]*');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
