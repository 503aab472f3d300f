/** The README's examples are real: its decode and doctor output is what `callerid` prints. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAP, envOf } from '../../../examples/kubectl-exec/src/principals.js';
import { startStandInApiServer, type StandInApiServer } from '../../../examples/kubectl-exec/src/stand-in-api-server.js';
import { ensureBuilt, runCli } from './helpers/cli.js';
import { fixture } from './helpers/fixtures.js';
import { section, snippetAfter } from './helpers/readme.js';

beforeAll(ensureBuilt);

describe('README', () => {
  it('shows the exact output of callerid decode', async () => {
    const block = snippetAfter('## `callerid decode`', 'console');
    const [command, ...expected] = block.split('\n');
    expect(command).toMatch(/^\$ callerid decode "\$TOKEN" --now 2026-11-22T09:40:00Z/);
    const token = fixture.eksTokens.find((t) => t.principal === 'deployer-session')!.token;
    const result = await runCli(['decode', token, '--now', '2026-11-22T09:40:00Z']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected.join('\n'));
  });

  it('documents every command and option the CLI accepts', async () => {
    const headings: Record<string, string> = { doctor: '## When kubectl says Unauthorized, run `callerid doctor`' };
    for (const command of ['token', 'eks get-token', 'kubeconfig', 'doctor', 'verify', 'decode', 'sts-local', 'serve']) {
      const readme = section(headings[command] ?? `## \`callerid ${command}\``);
      const help = (await runCli([...command.split(' '), '--help'])).stdout;
      for (const option of help.match(/--[a-z][a-z-]+/g) ?? []) {
        if (option === '--help') continue;
        expect(readme, `${command} ${option}`).toContain(option);
      }
    }
  });
});

describe('README: when kubectl says Unauthorized, run callerid doctor', () => {
  let sts: StsLocal;
  let api: StandInApiServer;
  // A session of a role the cluster does not map: what the README's run shows.
  const deployer = {
    accessKeyId: 'ASIAEXAMPLEDEPLOYER1',
    secretAccessKey: 'example/readme/deployer/secret/for/tests',
    sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEreadmeDeployer',
    arn: 'arn:aws:sts::111122223333:assumed-role/ci-deployer/build-7',
    userId: 'AROAEXAMPLEREADMEDEP:build-7',
    account: '111122223333',
  };

  beforeAll(async () => {
    sts = await startStsLocal({ principals: [deployer] });
    api = await startStandInApiServer({ audience: 'payments', stsEndpoint: sts.url, map: MAP, dir: mkdtempSync(join(tmpdir(), 'callerid-readme-doctor-')) });
  });
  afterAll(async () => {
    await api?.close();
    await sts?.close();
  });

  it('shows the exact output of the documented run (ports and times aside)', async () => {
    const block = snippetAfter('## When kubectl says Unauthorized, run `callerid doctor`', 'console');
    const [command, ...expected] = block.split('\n');
    const args = command!.replace(/^\$ callerid /, '').split(' ').map((arg) => (arg === 'ca.pem' ? api.caFile : arg.replace('https://127.0.0.1:6443', api.url)));
    const result = await runCli(args, { env: { ...envOf(deployer), CALLERID_STS_ENDPOINT: sts.url } });
    expect(result.code).toBe(1);
    const normalise = (text: string) => text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME');
    expect(normalise(result.stdout)).toBe(normalise(expected.join('\n')));
  });
});
