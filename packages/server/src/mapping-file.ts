/**
 * aws-iam-authenticator's mapping formats, translated into core's `MappingEntry[]` (core decides; this
 * file only reads). Three shapes are accepted:
 *
 * - an aws-auth ConfigMap manifest (`kubectl get configmap aws-auth -o yaml`): `data.mapRoles`,
 *   `data.mapUsers`, `data.mapAccounts`, each a YAML document held in a string;
 * - aws-iam-authenticator's own config file: `server.mapRoles` / `mapUsers` / `mapAccounts` as lists;
 * - those three keys at the top level, as lists.
 *
 * As there: entry keys are case-insensitive (`rolearn`, `roleARN`), top-level keys are not, an
 * account listed in `mapAccounts` maps every principal of it to its canonical ARN with no groups, and a
 * session ARN in `rolearn` means its role.
 */
import { readFileSync } from 'node:fs';
import { compileMapping, type MappingEntry, type Partition } from '@callerid/core';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { compiled } from './config.js';
import { ConfigError, YamlSource } from './yaml-reader.js';

/** A mapping file, read. */
export interface MappingFile {
  entries: MappingEntry[];
  /** Entries left out, and why (logged by the server): e.g. `{{EC2PrivateDNSName}}`, which needs an EC2 API call. */
  warnings: string[];
}

/** How a mapping file is read. */
export interface MappingFileOptions {
  /** The partitions `mapAccounts` entries apply to. Default `['aws']`. */
  partitions?: readonly Partition[];
  /** Role entries with an IAM path match assumed roles by name. Default `false` (as in aws-iam-authenticator, where they never match). */
  matchRoleByName?: boolean;
}

const MAP_KEYS = ['mapRoles', 'mapUsers', 'mapAccounts'] as const;
const ENTRY_KEYS: Record<'mapRoles' | 'mapUsers', readonly string[]> = {
  mapRoles: ['rolearn', 'username', 'groups', 'userid', 'sso'],
  mapUsers: ['userarn', 'username', 'groups', 'userid'],
};
const NEEDS_AWS_API = /\{\{EC2PrivateDNSName(FromAPI)?\}\}/;

/** Reads and translates a mapping file; throws {@link ConfigError} naming the key and line. */
export function loadMappingFile(path: string, options: MappingFileOptions = {}): MappingFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, '', undefined);
  }
  return parseMappingFile(text, path, options);
}

/** {@link loadMappingFile} on text already read. `name` names the file in errors. */
export function parseMappingFile(text: string, name: string, options: MappingFileOptions = {}): MappingFile {
  const src = new YamlSource(text, name);
  const out: Collected = { entries: [], warnings: [], placed: [] };
  const placed = out.placed;
  for (const { key, node, source } of sections(src)) {
    if (key.endsWith('mapAccounts')) readAccounts(source, node, key, options.partitions ?? ['aws'], out);
    else readEntries(source, node, key, options.matchRoleByName === true, out);
  }
  try {
    compileMapping(out.entries);
  } catch (error) {
    // Only whole-file checks are left here (two entries for one principal): point at the later one.
    const index = /^map\[(\d+)\]/.exec(error instanceof Error ? error.message : '')?.[1];
    const at = index === undefined ? undefined : placed[Number(index)];
    if (!(error instanceof TypeError) || !at) throw error;
    at.source.fail(at.node, at.key, error.message.replace(/^map\[\d+\]\s*/, ''));
  }
  return { entries: out.entries, warnings: out.warnings };
}

/** What the readers collect: the entries, and where each came from (for whole-file errors). */
interface Collected extends MappingFile {
  placed: { source: YamlSource; node: Node | null; key: string }[];
}

interface Section {
  key: string;
  node: Node | null;
  source: YamlSource;
}

/** Finds the three lists, whichever of the shapes the file has. */
function sections(src: YamlSource): Section[] {
  const root = src.root;
  if (!isMap(root)) return src.fail(root, '', 'must be an aws-auth ConfigMap, an aws-iam-authenticator config file, or mapRoles/mapUsers/mapAccounts lists');
  const top = src.dictionary(root, '');
  if (top.get('kind') !== undefined) return configMapSections(src, top);
  const server = top.get('server');
  const lists = server !== undefined ? src.dictionary(server, 'server') : top;
  const prefix = server !== undefined ? 'server.' : '';
  const found = MAP_KEYS.filter((k) => lists.has(k)).map((k) => ({ key: `${prefix}${k}`, node: lists.get(k)!, source: src }));
  if (server === undefined) {
    for (const k of top.keys()) if (!(MAP_KEYS as readonly string[]).includes(k)) src.fail(root, k, 'unknown key; known keys: mapRoles, mapUsers, mapAccounts');
  }
  return found;
}

function configMapSections(src: YamlSource, top: Map<string, Node | null>): Section[] {
  const kind = top.get('kind');
  if (!isScalar(kind) || kind.value !== 'ConfigMap') src.fail(kind, 'kind', 'must be ConfigMap');
  const data = top.get('data');
  if (data === undefined || data === null) return [];
  const found: Section[] = [];
  for (const [k, value] of src.dictionary(data, 'data')) {
    if (!(MAP_KEYS as readonly string[]).includes(k)) continue; // aws-iam-authenticator ignores other keys too (they are case-sensitive)
    const key = `data.${k}`;
    if (!isScalar(value) || typeof value.value !== 'string') src.fail(value, key, 'must be a string holding YAML (write `' + k + ': |`)');
    // The YAML inside the string: errors point at lines of the outer file.
    const block = value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED' ? 1 : 0;
    const inner = new YamlSource(value.value, src.name, (src.lineOf(value) ?? 1) - 1 + block);
    found.push({ key, node: inner.root, source: inner });
  }
  return found;
}

function readEntries(src: YamlSource, node: Node | null, key: string, byName: boolean, out: Collected): void {
  if (node === null || (isScalar(node) && (node.value === null || node.value === ''))) return;
  const kind = key.endsWith('mapRoles') ? 'mapRoles' : 'mapUsers';
  src.list(node, key).forEach((item, i) => {
    const where = `${key}[${i}]`;
    const fields = caseInsensitive(src, item, where, ENTRY_KEYS[kind]);
    if (fields.has('sso')) src.fail(item, `${where}.sso`, 'sso entries are not supported (they match roles by glob); map the permission set roles by rolearn');
    const arnKey = kind === 'mapRoles' ? 'rolearn' : 'userarn';
    if (!fields.has(arnKey)) src.fail(item, `${where}.${arnKey}`, 'is required');
    const arn = src.string(fields.get(arnKey), `${where}.${arnKey}`);
    const username = src.string(fields.get('username') ?? null, `${where}.username`);
    const groups = fields.has('groups') && fields.get('groups') !== null ? src.stringList(fields.get('groups'), `${where}.groups`) : [];
    if (NEEDS_AWS_API.test(username) || groups.some((g) => NEEDS_AWS_API.test(g))) {
      out.warnings.push(`${where} (line ${src.lineOf(item) ?? '?'}) left out: {{EC2PrivateDNSName}} needs an EC2 API call, which callerid does not make`);
      return;
    }
    const entry: MappingEntry = { arn: kind === 'mapRoles' ? roleArnOf(arn) : arn, username, groups };
    if (byName && kind === 'mapRoles' && /:role\/.+\/.+/.test(entry.arn!)) entry.matchRoleByName = true;
    compiled(src, item, where, () => compileMapping([entry]));
    out.entries.push(entry);
    out.placed.push({ source: src, node: item, key: where });
  });
}

/** A session ARN in `rolearn` stands for its role, as aws-iam-authenticator canonicalizes it. */
function roleArnOf(arn: string): string {
  const m = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/(.+)\/[^/]+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

function readAccounts(src: YamlSource, node: Node | null, key: string, partitions: readonly Partition[], out: Collected): void {
  if (node === null || (isScalar(node) && (node.value === null || node.value === ''))) return;
  if (!isSeq(node)) src.fail(node, key, 'must be a list of account ids');
  node.items.forEach((item, i) => {
    // An unquoted 12-digit id is a YAML number; its source text is what was meant.
    const text = isScalar(item) ? (typeof item.value === 'number' ? item.source : item.value) : undefined;
    if (typeof text !== 'string' || !/^\d{12}$/.test(text)) src.fail(item as Node, `${key}[${i}]`, 'must be a 12-digit account id');
    for (const partition of partitions) {
      out.entries.push({ accountId: text, partition, username: '{{CanonicalARN}}', groups: [] });
      out.placed.push({ source: src, node: item as Node, key: `${key}[${i}]` });
    }
  });
}

/** An entry's fields by lower-cased key (JSON decoding in Go matches field names case-insensitively). */
function caseInsensitive(src: YamlSource, node: Node | null, where: string, known: readonly string[]): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  for (const [k, value] of src.dictionary(node, where)) {
    const lower = k.toLowerCase();
    if (!known.includes(lower)) src.fail(value, `${where}.${k}`, `unknown key; known keys: ${known.join(', ')}`);
    if (out.has(lower)) src.fail(value, `${where}.${k}`, 'is given twice');
    out.set(lower, value);
  }
  return out;
}
