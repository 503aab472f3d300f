/**
 * The server's configuration (`callerid.yaml`), read strictly: every key known, every value checked,
 * and core's own compilers run on `allow` and `map` here, so a bad pattern fails at start-up with the
 * line it is on.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compileAllow, compileMapping, PARTITION_IDS, type AllowRules, type MappingEntry, type Partition } from '@callerid/core';
import { isMap, parseDocument, type Node } from 'yaml';
import { ConfigError, YamlSource } from './yaml-reader.js';

/** Where to listen. */
export interface ListenConfig {
  host: string;
  port: number;
}

/** `kubernetes:` — enables `POST /authenticate`. */
export interface KubernetesConfig {
  /** The audience (`x-k8s-aws-id`) tokens must be minted for: the cluster name. */
  clusterId: string;
  /** Absolute path of the mapping file (an aws-auth ConfigMap, or aws-iam-authenticator's config file). */
  mapping: string;
  /** The first part of each user's `uid`. Default `aws-iam-authenticator`. */
  uidPrefix: string;
  /** Let role entries with an IAM path match assumed roles by name (aws-iam-authenticator's DynamicFile mode). Default `false`, as its ConfigMap and file modes. */
  matchRoleByName: boolean;
}

/** Who may pass, for one audience of `/auth`. */
export interface AudiencePolicy {
  allow?: AllowRules;
  map?: MappingEntry[];
  /** Refuse callers `map` does not map (403 `caller_not_mapped`). */
  requireMapping: boolean;
}

/** `forwardAuth:` — enables `/auth`. */
export interface ForwardAuthConfig {
  /** One audience, or forwarded host → audience (`*` for any other host). */
  audience: string | Record<string, string>;
  /** The request header holding the forwarded host. Default `x-forwarded-host`. */
  hostHeader: string;
  /** The realm of the challenges. Default `callerid`. */
  realm: string;
  /** The policy of every audience without its own entry in `audiences`. */
  policy: AudiencePolicy;
  /** Per-audience policies. */
  audiences: Record<string, AudiencePolicy>;
}

/** The whole validated configuration. Paths are absolute. */
export interface ServerConfig {
  listen: ListenConfig;
  tls?: { cert: string; key: string };
  stsEndpoint?: string;
  partitions: Partition[];
  kubernetes?: KubernetesConfig;
  forwardAuth?: ForwardAuthConfig;
  cache: { max: number };
  /** How often watched files (mapping, TLS) are checked for changes, in ms. Default 2000. */
  watchIntervalMs: number;
  /** How long SIGTERM waits for in-flight requests before closing connections, in ms. Default 10000. */
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** The default `listen`, aws-iam-authenticator's address. */
export const DEFAULT_LISTEN = '127.0.0.1:21362';

const TOP_KEYS = ['listen', 'tls', 'stsEndpoint', 'partitions', 'kubernetes', 'forwardAuth', 'cache', 'watchIntervalMs', 'shutdownTimeoutMs', 'logLevel'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const AUDIENCE = /^[\x21-\x7e]{1,256}$/;
const ACCOUNT = /^\d{12}$/;

/** Values that replace the file's (command-line flags, environment); validated as if written in the file. */
export interface ConfigOverrides {
  listen?: string;
  stsEndpoint?: string;
  logLevel?: string;
}

/**
 * Reads and validates a configuration file. Throws {@link ConfigError} (message: `file:line: key: what`).
 *
 * @example
 * ```ts
 * const config = loadConfig('./callerid.yaml', { listen: '0.0.0.0:21362' });
 * ```
 */
export function loadConfig(path: string, overrides: ConfigOverrides = {}): ServerConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, '', undefined);
  }
  const given = Object.entries(overrides).filter(([, value]) => value !== undefined);
  if (given.length > 0) {
    // Overrides go through the same validation; a document that does not parse is reported as it is.
    const doc = parseDocument(text);
    if (doc.errors.length === 0 && isMap(doc.contents)) {
      for (const [key, value] of given) doc.set(key, value);
      text = doc.toString();
    }
  }
  return parseConfig(text, { name: file, baseDir: dirname(file) });
}

/**
 * Validates a configuration given as YAML text or as an object (the shape of `callerid.yaml`).
 * Relative paths resolve against `baseDir` (default: the working directory).
 */
export function parseConfig(input: string | object, { name = 'config', baseDir = process.cwd() }: { name?: string; baseDir?: string } = {}): ServerConfig {
  const src = new YamlSource(input, name);
  const top = src.map(src.root, '', TOP_KEYS);
  const get = (key: string) => top.get(key);
  const config: ServerConfig = {
    listen: readListen(src, get('listen')),
    partitions: top.has('partitions') ? readPartitions(src, get('partitions')) : ['aws'],
    cache: { max: 100_000 },
    watchIntervalMs: top.has('watchIntervalMs') ? src.integer(get('watchIntervalMs'), 'watchIntervalMs', 50, 3_600_000) : 2_000,
    shutdownTimeoutMs: top.has('shutdownTimeoutMs') ? src.integer(get('shutdownTimeoutMs'), 'shutdownTimeoutMs', 0, 600_000) : 10_000,
    logLevel: top.has('logLevel') ? (src.string(get('logLevel'), 'logLevel', new RegExp(`^(${LOG_LEVELS.join('|')})$`), `one of ${LOG_LEVELS.join(', ')}`) as ServerConfig['logLevel']) : 'info',
  };
  if (top.has('tls')) {
    const tls = src.map(get('tls'), 'tls', ['cert', 'key']);
    config.tls = { cert: path(src, tls.get('cert'), 'tls.cert', baseDir), key: path(src, tls.get('key'), 'tls.key', baseDir) };
  }
  if (top.has('stsEndpoint')) config.stsEndpoint = readStsEndpoint(src, get('stsEndpoint'));
  if (top.has('cache')) config.cache = { max: src.integer(src.map(get('cache'), 'cache', ['max']).get('max'), 'cache.max', 1, 10_000_000) };
  if (top.has('kubernetes')) config.kubernetes = readKubernetes(src, get('kubernetes'), baseDir);
  if (top.has('forwardAuth')) config.forwardAuth = readForwardAuth(src, get('forwardAuth'), config.partitions);
  if (!config.kubernetes && !config.forwardAuth) src.fail(src.root, '', 'configure kubernetes (the TokenReview webhook), forwardAuth (/auth), or both');
  return config;
}

/** `host:port` (IPv6 in brackets) into its parts; `undefined` when malformed. */
export function parseListen(value: string): ListenConfig | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

function readListen(src: YamlSource, node: Node | null | undefined): ListenConfig {
  if (node === undefined) return parseListen(DEFAULT_LISTEN)!;
  return parseListen(src.string(node, 'listen')) ?? src.fail(node, 'listen', 'must be host:port (e.g. 127.0.0.1:21362, [::1]:21362, 0.0.0.0:21362)');
}

function readPartitions(src: YamlSource, node: Node | null | undefined): Partition[] {
  const list = src.stringList(node, 'partitions', new RegExp(`^(${PARTITION_IDS.join('|')})$`), `one of ${PARTITION_IDS.join(', ')}`);
  if (list.length === 0) src.fail(node, 'partitions', 'must list at least one partition');
  return list as Partition[];
}

function readStsEndpoint(src: YamlSource, node: Node | null | undefined): string {
  const value = src.string(node, 'stsEndpoint');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return src.fail(node, 'stsEndpoint', 'must be a URL (https://…, or http:// to a loopback address)');
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) src.fail(node, 'stsEndpoint', 'must be https, or http to a loopback address');
  return value;
}

function path(src: YamlSource, node: Node | null | undefined, key: string, baseDir: string): string {
  return resolve(baseDir, src.string(node, key, /./, 'a file path'));
}

function readKubernetes(src: YamlSource, node: Node | null | undefined, baseDir: string): KubernetesConfig {
  const k = src.map(node, 'kubernetes', ['clusterId', 'mapping', 'uidPrefix', 'matchRoleByName']);
  if (!k.has('clusterId')) src.fail(node, 'kubernetes.clusterId', 'is required (the cluster name tokens are minted for)');
  if (!k.has('mapping')) src.fail(node, 'kubernetes.mapping', 'is required (an aws-auth ConfigMap or aws-iam-authenticator config file)');
  return {
    clusterId: src.string(k.get('clusterId'), 'kubernetes.clusterId', AUDIENCE, '1-256 printable ASCII characters without spaces'),
    mapping: path(src, k.get('mapping'), 'kubernetes.mapping', baseDir),
    uidPrefix: k.has('uidPrefix') ? src.string(k.get('uidPrefix'), 'kubernetes.uidPrefix', /^[^:\s]{1,128}$/, 'a prefix without colons or spaces') : 'aws-iam-authenticator',
    matchRoleByName: k.has('matchRoleByName') ? src.boolean(k.get('matchRoleByName'), 'kubernetes.matchRoleByName') : false,
  };
}

function readForwardAuth(src: YamlSource, node: Node | null | undefined, partitions: Partition[]): ForwardAuthConfig {
  const f = src.map(node, 'forwardAuth', ['audience', 'hostHeader', 'realm', 'allow', 'map', 'requireMapping', 'audiences']);
  if (!f.has('audience')) src.fail(node, 'forwardAuth.audience', 'is required (one audience, or a map of forwarded host → audience)');
  const audienceNode = f.get('audience');
  const audience: ForwardAuthConfig['audience'] = isMap(audienceNode)
    ? readHostMap(src, audienceNode)
    : src.string(audienceNode, 'forwardAuth.audience', AUDIENCE, 'an audience (1-256 printable ASCII characters without spaces), or a map of host → audience');
  const policy = readPolicy(src, f, 'forwardAuth', partitions);
  const audiences: Record<string, AudiencePolicy> = {};
  if (f.has('audiences')) {
    const known = new Set(typeof audience === 'string' ? [audience] : Object.values(audience));
    for (const [name, value] of src.dictionary(f.get('audiences'), 'forwardAuth.audiences')) {
      const key = `forwardAuth.audiences.${name}`;
      if (!known.has(name)) src.fail(value, key, 'is not an audience of forwardAuth.audience');
      audiences[name] = readPolicy(src, src.map(value, key, ['allow', 'map', 'requireMapping']), key, partitions);
    }
  }
  return {
    audience,
    hostHeader: f.has('hostHeader') ? src.string(f.get('hostHeader'), 'forwardAuth.hostHeader', /^[A-Za-z0-9-]{1,64}$/, 'a header name').toLowerCase() : 'x-forwarded-host',
    realm: f.has('realm') ? src.string(f.get('realm'), 'forwardAuth.realm', /^[\x20-\x7e]{1,64}$/, 'printable ASCII') : 'callerid',
    policy,
    audiences,
  };
}

function readHostMap(src: YamlSource, node: Node | null | undefined): Record<string, string> {
  const hosts: Record<string, string> = {};
  for (const [host, value] of src.dictionary(node, 'forwardAuth.audience')) {
    const key = `forwardAuth.audience.${host}`;
    if (host !== '*' && !/^[a-z0-9.-]+(:\d{1,5})?$/.test(host)) src.fail(value, key, 'host names are lower-case, with an optional :port, or * for any other host');
    hosts[host] = src.string(value, key, AUDIENCE, 'an audience: 1-256 printable ASCII characters without spaces');
  }
  if (Object.keys(hosts).length === 0) src.fail(node, 'forwardAuth.audience', 'must map at least one host');
  return hosts;
}

function readPolicy(src: YamlSource, section: Map<string, Node | null>, key: string, partitions: Partition[]): AudiencePolicy {
  const policy: AudiencePolicy = { requireMapping: section.has('requireMapping') ? src.boolean(section.get('requireMapping'), `${key}.requireMapping`) : false };
  if (section.has('allow')) policy.allow = readAllow(src, section.get('allow'), `${key}.allow`);
  if (section.has('map')) policy.map = readMapEntries(src, section.get('map'), `${key}.map`, partitions);
  if (policy.requireMapping && !policy.map) src.fail(undefined, `${key}.requireMapping`, 'needs map');
  return policy;
}

function readAllow(src: YamlSource, node: Node | null | undefined, key: string): AllowRules {
  const a = src.map(node, key, ['accounts', 'principals', 'principalTypes', 'groups', 'matchRoleByName']);
  const rules: { -readonly [K in keyof AllowRules]: AllowRules[K] } = {};
  if (a.has('accounts')) rules.accounts = src.stringList(a.get('accounts'), `${key}.accounts`, ACCOUNT, 'a 12-digit account id (quoted)');
  if (a.has('principals')) rules.principals = src.stringList(a.get('principals'), `${key}.principals`);
  if (a.has('principalTypes')) rules.principalTypes = src.stringList(a.get('principalTypes'), `${key}.principalTypes`) as AllowRules['principalTypes'];
  if (a.has('groups')) rules.groups = src.stringList(a.get('groups'), `${key}.groups`);
  if (a.has('matchRoleByName')) rules.matchRoleByName = src.boolean(a.get('matchRoleByName'), `${key}.matchRoleByName`);
  compiled(src, node, key, () => compileAllow(rules));
  return rules;
}

function readMapEntries(src: YamlSource, node: Node | null | undefined, key: string, partitions: Partition[]): MappingEntry[] {
  const entries = src.list(node, key).map((item, i) => {
    const where = `${key}[${i}]`;
    const e = src.map(item, where, ['arn', 'accountId', 'partition', 'username', 'groups', 'matchRoleByName']);
    const entry: MappingEntry = { username: src.string(e.get('username') ?? null, `${where}.username`) };
    if (e.has('arn')) entry.arn = src.string(e.get('arn'), `${where}.arn`);
    if (e.has('accountId')) entry.accountId = src.string(e.get('accountId'), `${where}.accountId`, ACCOUNT, 'a 12-digit account id (quoted)');
    if (e.has('partition')) entry.partition = src.string(e.get('partition'), `${where}.partition`, new RegExp(`^(${partitions.join('|')})$`), `one of the configured partitions (${partitions.join(', ')})`) as Partition;
    if (e.has('groups')) entry.groups = src.stringList(e.get('groups'), `${where}.groups`);
    if (e.has('matchRoleByName')) entry.matchRoleByName = src.boolean(e.get('matchRoleByName'), `${where}.matchRoleByName`);
    compiled(src, item, where, () => compileMapping([entry]));
    return entry;
  });
  const items = src.list(node, key);
  try {
    compileMapping(entries);
  } catch (error) {
    // Whole-list checks (two entries for one principal) name the later entry: point at it.
    const index = Number(/^map\[(\d+)\]/.exec(error instanceof Error ? error.message : '')?.[1] ?? NaN);
    if (!(error instanceof TypeError)) throw error;
    const at = Number.isInteger(index) ? index : 0;
    src.fail(items[at] ?? node, Number.isInteger(index) ? `${key}[${index}]` : key, error.message.replace(/^map\[\d+\]\s*/, ''));
  }
  return entries;
}

/** Runs one of core's compilers, turning its `TypeError` into a {@link ConfigError} at `node`. */
export function compiled<T>(src: YamlSource, node: Node | null | undefined, key: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof TypeError) return src.fail(node, key, error.message.replace(/^map\[0\]\.?\s*:?\s*/, ''));
    throw error;
  }
}
