/**
 * `callerid kubeconfig add`: a cluster, a user that runs `callerid token`, and a context joining them,
 * merged into a kubeconfig as `aws eks update-kubeconfig` does — offline: the server and CA are given,
 * not looked up. Entries with the same names are replaced; everything else is left as it was.
 */
import type { Document } from 'yaml';
import { listOf, nameOf } from './file.js';

/** What `kubeconfig add` writes. */
export interface AddRequest {
  clusterName: string;
  server: string;
  certificateAuthorityData: string | undefined;
  region: string | undefined;
  roleArn: string | undefined;
  profile: string | undefined;
  alias: string | undefined;
  userAlias: string | undefined;
  /** The command kubectl runs (default `callerid`, found on its PATH). */
  command: string;
  cache: boolean;
}

/** The exec block `kubeconfig add` writes for a user. */
export function execBlock(request: AddRequest): Record<string, unknown> {
  const args = ['token', '--cluster-name', request.clusterName];
  if (request.region !== undefined) args.push('--region', request.region);
  if (request.roleArn !== undefined) args.push('--role-arn', request.roleArn);
  if (request.cache) args.push('--cache');
  return {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: request.command,
    args,
    // As update-kubeconfig pins the profile it ran with: the plugin must not depend on the shell's AWS_PROFILE.
    ...(request.profile === undefined ? {} : { env: [{ name: 'AWS_PROFILE', value: request.profile }] }),
    interactiveMode: 'Never',
  };
}

/** Adds (or replaces) the cluster, user and context and makes the context current; the context's name and whether it existed. */
export function addCluster(command: string, doc: Document, request: AddRequest): { context: string; updated: boolean } {
  const cluster = {
    cluster: {
      ...(request.certificateAuthorityData === undefined ? {} : { 'certificate-authority-data': request.certificateAuthorityData }),
      server: request.server,
    },
    name: request.clusterName,
  };
  const userName = request.userAlias ?? request.clusterName;
  const user = { name: userName, user: { exec: execBlock(request) } };
  const contextName = request.alias ?? userName;
  const context = { context: { cluster: request.clusterName, user: userName }, name: contextName };
  const updated = upsert(command, doc, 'clusters', cluster);
  upsert(command, doc, 'users', user);
  upsert(command, doc, 'contexts', context);
  doc.set('current-context', contextName);
  return { context: contextName, updated };
}

/** Replaces the entry with the same name in `doc[key]`, or appends it; whether one was replaced. */
function upsert(command: string, doc: Document, key: string, entry: { name: string }): boolean {
  const list = listOf(command, doc, key);
  const index = list.items.findIndex((item) => nameOf(item) === entry.name);
  const node = doc.createNode(entry);
  if (index === -1) list.items.push(node);
  else list.items[index] = node;
  return index !== -1;
}
