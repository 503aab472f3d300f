/** The README's examples are real: its decode output is what `callerid decode` prints. */
import { beforeAll, describe, expect, it } from 'vitest';
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
    for (const command of ['token', 'verify', 'decode', 'sts-local', 'serve']) {
      const readme = section(`## \`callerid ${command}\``);
      const help = (await runCli([command, '--help'])).stdout;
      for (const option of help.match(/--[a-z][a-z-]+/g) ?? []) {
        if (option === '--help') continue;
        expect(readme, `${command} ${option}`).toContain(option);
      }
    }
  });
});
