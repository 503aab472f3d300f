/**
 * `callerid kubeconfig migrate`: every user whose exec plugin runs `aws eks get-token` or
 * `aws-iam-authenticator token` runs callerid instead, with the same meaning. Both command lines are
 * callerid command lines as they stand (`callerid eks get-token`, `callerid token`), so the command
 * changes and the arguments and `env` (a pinned `AWS_PROFILE`, `--role`) stay. A line callerid would
 * refuse is left alone and reported. Users already running callerid, and everything else, are untouched.
 */
import { basename } from 'node:path';
import { isMap, isScalar, isSeq, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { isUsageError } from '../args.js';
import { hoistAwsGlobals } from '../aws-globals.js';
import { parseGetTokenArgs } from '../commands/eks.js';
import { parseTokenArgs } from '../commands/token.js';
import { listOf, nameOf } from './file.js';

/** One user's exec block as it was and as it becomes (or why it stays). */
export interface UserChange {
  user: string;
  from: { command: string; args: string[] };
  to?: { command: string; args: string[] };
  /** Why a user that runs aws or aws-iam-authenticator was left alone. */
  skipped?: string;
}

/** What a migration found. */
export interface MigrationResult {
  changes: UserChange[];
  /** Users that already run callerid. */
  alreadyCallerid: number;
}

type Plan = { args: string[] } | { skipped: string } | 'callerid' | undefined;

/** Rewrites the users of `doc` in place; what changed. */
export function migrateUsers(command: string, doc: Document, callerid: string): MigrationResult {
  const result: MigrationResult = { changes: [], alreadyCallerid: 0 };
  for (const item of listOf(command, doc, 'users').items) {
    const exec = isMap(item) ? (item).getIn(['user', 'exec'], true) : undefined;
    if (!isMap(exec)) continue;
    const from = commandLineOf(exec);
    if (from === undefined) continue;
    const plan = planFor(from.command, from.args, envOf(exec));
    if (plan === undefined) continue;
    if (plan === 'callerid') {
      result.alreadyCallerid += 1;
      continue;
    }
    const user = nameOf(item) ?? '(unnamed)';
    if ('skipped' in plan) {
      result.changes.push({ user, from, skipped: plan.skipped });
      continue;
    }
    exec.set('command', callerid);
    const argsNode = exec.get('args', true);
    const appendOnly = isSeq(argsNode) && from.args.every((arg, i) => plan.args[i] === arg);
    // Appending keeps the list's style and comments; a reordered list is written anew.
    if (appendOnly) for (const extra of plan.args.slice(from.args.length)) (argsNode as YAMLSeq).add(extra);
    else exec.set('args', doc.createNode(plan.args));
    result.changes.push({ user, from, to: { command: callerid, args: plan.args } });
  }
  return result;
}

function commandLineOf(exec: YAMLMap): { command: string; args: string[] } | undefined {
  const command = exec.get('command');
  const args = exec.get('args', true);
  if (typeof command !== 'string') return undefined;
  if (args === undefined) return { command, args: [] };
  if (!isSeq(args) || !args.items.every((arg) => isScalar(arg) && typeof arg.value === 'string')) return undefined;
  return { command, args: args.items.map((arg) => (arg as { value: string }).value) };
}

function envOf(exec: YAMLMap): Map<string, string> {
  const env = new Map<string, string>();
  const list = exec.get('env', true);
  if (!isSeq(list)) return env;
  for (const entry of list.items) {
    if (!isMap(entry)) continue;
    const name = entry.get('name');
    const value = entry.get('value');
    if (typeof name === 'string' && typeof value === 'string') env.set(name, value);
  }
  return env;
}

function planFor(command: string, args: string[], env: Map<string, string>): Plan {
  const program = basename(command).replace(/\.exe$/i, '');
  if (program === 'callerid') return 'callerid';
  if (program === 'aws') {
    const hoisted = hoistAwsGlobals(args) ?? args;
    if (hoisted[0] !== 'eks' || hoisted[1] !== 'get-token') return undefined;
    return checked(args, () => parseGetTokenArgs(hoisted.slice(2)));
  }
  if (program === 'aws-iam-authenticator') {
    if (!args.includes('token')) return undefined;
    // aws-iam-authenticator reads the role from DEFAULT_ROLE too; callerid takes it as -r.
    const role = env.get('DEFAULT_ROLE');
    const hasRole = args.some((arg) => arg === '-r' || arg.startsWith('--role') || /^-r\S/.test(arg));
    const withRole = role && !hasRole ? [...args, '-r', role] : args;
    // Its global options (-i) may come before `token`; callerid reads them after it.
    const token = withRole.indexOf('token');
    const calleridArgs = ['token', ...withRole.slice(0, token), ...withRole.slice(token + 1)];
    return checked(calleridArgs, () => parseTokenArgs(calleridArgs.slice(1)));
  }
  return undefined;
}

/** The new argument list when callerid accepts it, else the reason it does not. */
function checked(args: string[], parse: () => unknown): Plan {
  try {
    parse();
  } catch (err) {
    if (isUsageError(err)) return { skipped: err.message };
    throw err;
  }
  return { args };
}

/** The change list as a diff of the exec blocks: `-` the old command line, `+` the new one. */
export function describeChanges(path: string, result: MigrationResult): string {
  const lines = [`--- ${path}`, `+++ ${path} (callerid)`];
  for (const change of result.changes) {
    lines.push(`@@ user ${JSON.stringify(change.user)} @@`);
    lines.push(`-  command: ${change.from.command}`, `-  args: ${JSON.stringify(change.from.args)}`);
    if (change.to) lines.push(`+  command: ${change.to.command}`, `+  args: ${JSON.stringify(change.to.args)}`);
    else lines.push(`   (left as it is: ${change.skipped})`);
  }
  return `${lines.join('\n')}\n`;
}
