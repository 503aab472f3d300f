/**
 * Reading and writing a kubeconfig as a `yaml` Document, so comments, key order and fields callerid
 * does not own survive an edit. Which file: `--kubeconfig`, else the first file in `KUBECONFIG`, else
 * `~/.kube/config` (as `aws eks update-kubeconfig` chooses). Written atomically, `0600`: a kubeconfig
 * can hold credentials.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Document, isMap, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import { UsageError } from '../args.js';

/** The kubeconfig file a command edits. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) return resolve(flag);
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((path) => path !== '');
  return resolve(first ?? join(env.HOME || homedir(), '.kube', 'config'));
}

/** A loaded kubeconfig: its document and the text it was read from (`undefined` for a new file). */
export interface Kubeconfig {
  path: string;
  text: string | undefined;
  doc: Document;
}

/** Reads `path`, or starts the document `aws eks update-kubeconfig` starts when there is no file. */
export function readKubeconfig(command: string, path: string): Kubeconfig {
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot read ${path} (${String((err as NodeJS.ErrnoException).code)})`, command);
  }
  if (text === undefined || text.trim() === '') {
    return { path, text, doc: new Document({ apiVersion: 'v1', clusters: [], contexts: [], 'current-context': '', kind: 'Config', preferences: {}, users: [] }) };
  }
  const doc = parseDocument(text);
  // The parser's messages quote the input, and a kubeconfig holds secrets: say where, not what.
  if (doc.errors.length > 0) throw new UsageError(`${path} is not valid YAML (line ${doc.errors[0]!.linePos?.[0]?.line ?? '?'})`, command);
  if (!isMap(doc.contents)) throw new UsageError(`${path} is not a kubeconfig (not a mapping)`, command);
  return { path, text, doc };
}

/** The document as text, in the layout kubectl and the AWS CLI write (sequences not indented, no folding). */
export function renderKubeconfig(doc: Document): string {
  return doc.toString({ indentSeq: false, lineWidth: 0, flowCollectionPadding: false });
}

/** Writes `text` to `path` atomically with mode 0600 (its directory 0700 when created). */
export function writeKubeconfig(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${randomBytes(8).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw err;
  }
}

/** The list under `key` (`clusters`, `users`, `contexts`), created when absent or null. */
export function listOf(command: string, doc: Document, key: string): YAMLSeq {
  const node = doc.get(key, true);
  if (node === undefined || node === null || (typeof node === 'object' && 'value' in node && node.value === null)) {
    const seq = doc.createNode([]) as YAMLSeq;
    doc.set(key, seq);
    return seq;
  }
  if (!isSeq(node)) throw new UsageError(`"${key}" in the kubeconfig is not a list`, command);
  return node;
}

/** The `name` of a list entry, if it is a mapping with a string name. */
export function nameOf(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const name = item.get('name');
  return typeof name === 'string' ? name : undefined;
}
