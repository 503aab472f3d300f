/**
 * `pnpm --filter @callerid/example-kubectl-exec try-it`: run `kubectl auth whoami` through
 * `callerid token` on your machine, without an EKS cluster. Starts sts-local and the loopback HTTPS
 * stand-in API server (cluster "payments"), writes a kubeconfig with `callerid kubeconfig add`, and an
 * `env.sh` that puts `callerid` on PATH and signs as the example's alice. Runs until Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startStsLocal } from '@callerid/sts-local';
import { MAP, adminSession, alice, envOf } from './principals.js';
import { startStandInApiServer } from './stand-in-api-server.js';

const CLUSTER = 'payments';
const cli = join(dirname(createRequire(import.meta.url).resolve('@callerid/cli/package.json')), 'dist', 'callerid.cjs');

const work = mkdtempSync(join(tmpdir(), 'callerid-try-kubectl-'));
const bin = join(work, 'bin');
mkdirSync(bin);
symlinkSync(cli, join(bin, 'callerid'));

const sts = await startStsLocal({ principals: [alice, adminSession] });
const apiServer = await startStandInApiServer({ audience: CLUSTER, stsEndpoint: sts.url, map: MAP, dir: work });
const kubeconfig = join(work, 'kubeconfig');
const added = spawnSync(process.execPath, [cli, 'kubeconfig', 'add', '--cluster-name', CLUSTER, '--server', apiServer.url, '--certificate-authority', apiServer.caFile, '--region', 'us-west-2', '--kubeconfig', kubeconfig], { encoding: 'utf8' });
if (added.status !== 0) throw new Error(`callerid kubeconfig add failed: ${added.stderr}`);

// The keys go into a file, not onto the terminal: fake as they are, the example shows the habit.
const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, KUBECONFIG: kubeconfig, CALLERID_STS_ENDPOINT: sts.url, ...envOf(alice) };
const envFile = join(work, 'env.sh');
writeFileSync(envFile, Object.entries(env).map(([key, value]) => `export ${key}='${value}'\n`).join(''), { mode: 0o600 });

process.stdout.write(`sts-local            ${sts.url}
stand-in API server  ${apiServer.url} (cluster "${CLUSTER}", maps alice and the payments-admin role)
kubeconfig           ${kubeconfig} (written by callerid kubeconfig add)

In another shell:
  source ${envFile}
  kubectl auth whoami
  callerid doctor --cluster-name ${CLUSTER} --server ${apiServer.url} --certificate-authority ${apiServer.caFile}

Ready. Stop with Ctrl-C.
`);

await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await apiServer.close();
await sts.close();
rmSync(work, { recursive: true, force: true });
