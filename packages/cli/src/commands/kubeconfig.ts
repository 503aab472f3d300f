/**
 * `callerid kubeconfig add` and `callerid kubeconfig migrate`: write kubeconfig users that run callerid
 * (see `../kubeconfig/`). Both print what they would write with `--dry-run` and write nothing then.
 */
import { readFileSync } from 'node:fs';
import { UsageError, required } from '../args.js';
import { commandArgs } from '../command-args.js';
import { EXIT } from '../exit-codes.js';
import { COMMAND_HELP } from '../help.js';
import { addCluster } from '../kubeconfig/add.js';
import { kubeconfigPath, readKubeconfig, renderKubeconfig, writeKubeconfig } from '../kubeconfig/file.js';
import { describeChanges, migrateUsers } from '../kubeconfig/migrate.js';
import { writeStdout } from '../output.js';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Runs `callerid kubeconfig <add|migrate> …`. */
export function run(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'add') return Promise.resolve(add(rest));
  if (subcommand === 'migrate') return Promise.resolve(migrate(rest));
  if (subcommand === '-h' || subcommand === '--help' || subcommand === 'help') {
    writeStdout(`${COMMAND_HELP.kubeconfig}\n`);
    return Promise.resolve(EXIT.ok);
  }
  throw new UsageError(subcommand === undefined || subcommand.startsWith('-') ? 'expected a subcommand: add or migrate' : 'unknown kubeconfig subcommand (add, migrate)', 'kubeconfig');
}

function add(args: string[]): number {
  const command = 'kubeconfig add';
  const parsed = commandArgs(command, args, {
    'cluster-name': { type: 'string' },
    server: { type: 'string' },
    'certificate-authority': { type: 'string' },
    'certificate-authority-data': { type: 'string' },
    region: { type: 'string' },
    'role-arn': { type: 'string' },
    profile: { type: 'string' },
    alias: { type: 'string' },
    'user-alias': { type: 'string' },
    kubeconfig: { type: 'string' },
    command: { type: 'string' },
    cache: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  }, 0, 'kubeconfig');
  if (!parsed) return EXIT.ok;
  const { values } = parsed;
  const server = required(command, 'server', values.server);
  if (!/^https:\/\/[^\s/]+/.test(server)) throw new UsageError('--server must be an https:// URL (the cluster endpoint)', command);
  if (values.region !== undefined && !REGION.test(values.region)) throw new UsageError(`--region ${JSON.stringify(values.region.slice(0, 64))} is not an AWS region name`, command);
  for (const name of ['role-arn', 'profile', 'alias', 'user-alias', 'command'] as const) {
    if (values[name] === '') throw new UsageError(`--${name} must not be empty`, command);
  }
  const file = kubeconfigPath(values.kubeconfig);
  const config = readKubeconfig(command, file);
  const { context, updated } = addCluster(command, config.doc, {
    clusterName: required(command, 'cluster-name', values['cluster-name']),
    server,
    certificateAuthorityData: caData(command, values['certificate-authority'], values['certificate-authority-data']),
    region: values.region,
    roleArn: values['role-arn'],
    profile: values.profile,
    alias: values.alias,
    userAlias: values['user-alias'],
    command: values.command ?? 'callerid',
    cache: values.cache === true,
  });
  const text = renderKubeconfig(config.doc);
  if (values['dry-run']) {
    writeStdout(text);
    return EXIT.ok;
  }
  writeKubeconfig(file, text);
  writeStdout(`${updated ? 'Updated' : 'Added new'} context ${context} ${updated ? 'in' : 'to'} ${file}\n`);
  return EXIT.ok;
}

function caData(command: string, file: string | undefined, data: string | undefined): string | undefined {
  if (file !== undefined && data !== undefined) throw new UsageError('--certificate-authority and --certificate-authority-data exclude each other', command);
  if (data !== undefined) {
    const pem = /^[A-Za-z0-9+/]+={0,2}$/.test(data) ? Buffer.from(data, 'base64').toString('latin1') : '';
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError('--certificate-authority-data must be a base64-encoded PEM certificate', command);
    return data;
  }
  if (file === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--certificate-authority: cannot read the file (${String((err as NodeJS.ErrnoException).code ?? 'error')})`, command);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError('--certificate-authority must be a PEM certificate file', command);
  return Buffer.from(pem).toString('base64');
}

function migrate(args: string[]): number {
  const command = 'kubeconfig migrate';
  const parsed = commandArgs(command, args, {
    kubeconfig: { type: 'string' },
    command: { type: 'string' },
    'dry-run': { type: 'boolean' },
  }, 0, 'kubeconfig');
  if (!parsed) return EXIT.ok;
  const { values } = parsed;
  if (values.command === '') throw new UsageError('--command must not be empty', command);
  const file = kubeconfigPath(values.kubeconfig);
  const config = readKubeconfig(command, file);
  if (config.text === undefined) throw new UsageError(`${file} does not exist`, command);
  const result = migrateUsers(command, config.doc, values.command ?? 'callerid');
  const migrated = result.changes.filter((change) => change.to !== undefined).length;
  const already = result.alreadyCallerid > 0 ? ` (${result.alreadyCallerid} already run${result.alreadyCallerid === 1 ? 's' : ''} callerid)` : '';
  if (result.changes.length === 0) {
    writeStdout(`Nothing to migrate in ${file}${already}.\n`);
    return EXIT.ok;
  }
  writeStdout(describeChanges(file, result));
  if (migrated > 0 && !values['dry-run']) writeKubeconfig(file, renderKubeconfig(config.doc));
  const verb = values['dry-run'] ? 'Would migrate' : 'Migrated';
  writeStdout(`${verb} ${migrated} user${migrated === 1 ? '' : 's'} in ${file}${already}${values['dry-run'] ? '; nothing written (--dry-run)' : ''}.\n`);
  return migrated === result.changes.length ? EXIT.ok : EXIT.failed;
}
