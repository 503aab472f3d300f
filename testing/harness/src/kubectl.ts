/** What the tests that run the real kubectl need: finding it, a loopback HTTPS certificate it trusts, a workspace with the CLI on PATH. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const works = (command: string) => spawnSync(command, ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** The kubectl on this machine, or `undefined` (CI installs Debian's kubernetes-client when it is missing). */
export const KUBECTL: string | undefined = ['/usr/bin/kubectl', '/usr/local/bin/kubectl', 'kubectl'].find(works);

/** An EC key and a certificate for `127.0.0.1`, valid one day, that is its own CA; written into `dir`. */
export function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const result = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=callerid-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl could not create a test certificate (is openssl installed?): ${result.stderr || String(result.error)}`);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/** A scratch folder for kubectl runs, with the built CLI on its PATH. */
export interface KubectlWorkspace {
  /** The folder: kubectl's and callerid's `HOME`. */
  readonly dir: string;
  /** `<dir>/bin`, holding `callerid` (a link to the built CLI), as `npm i -g @callerid/cli` puts it on PATH. */
  readonly bin: string;
}

/**
 * A {@link KubectlWorkspace} for a test file (`cli`: the built `callerid.cjs`), made before its tests
 * and removed after them. A kubeconfig's `command: callerid` resolves through `bin` on the PATH of
 * {@link kubectlEnv}.
 */
export function useKubectlWorkspace(cli: string, prefix = 'callerid-kubectl-'): KubectlWorkspace {
  const workspace = {} as { dir: string; bin: string };
  beforeAll(() => {
    workspace.dir = mkdtempSync(join(tmpdir(), prefix));
    workspace.bin = join(workspace.dir, 'bin');
    mkdirSync(workspace.bin);
    symlinkSync(cli, join(workspace.bin, 'callerid'));
  });
  afterAll(() => {
    if (workspace.dir) rmSync(workspace.dir, { recursive: true, force: true });
  });
  return workspace;
}

/**
 * The environment kubectl (and the `callerid` it runs) gets: the workspace's `bin` first on PATH, its
 * folder as HOME, no AWS config or credentials file and no instance metadata; `extra` adds or overrides.
 */
export function kubectlEnv(workspace: KubectlWorkspace, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${workspace.bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: workspace.dir,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(workspace.dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workspace.dir, 'no-credentials'),
    ...extra,
  };
}

/** Runs the real kubectl with `args` and `env`; resolves its exit code and what it printed. */
export function runKubectl(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(KUBECTL!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
