import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

// The README's web identity example is a file under test/ that it quotes verbatim; this suite checks
// the quote matches and runs the file.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

describe('README web identity example', () => {
  const quoted = [...readme.matchAll(/<!-- web-identity-file: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, m[2]!] as const);

  it('quotes the example file verbatim', () => {
    expect(quoted.map(([file]) => file)).toEqual(['test/readme-examples/web-identity.ts']);
    expect(quoted[0]![1]).toBe(readFileSync(join(packageDir, quoted[0]![0]), 'utf8').trimEnd());
  });

  it('runs: the AWS SDK mints against sts-local, jose verifies against its JWKS', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { payload, protectedHeader } = await import('./readme-examples/web-identity.js');
      expect(protectedHeader).toMatchObject({ alg: 'ES384', kid: 'EC384_0', typ: 'JWT' });
      expect(payload.sub).toBe('arn:aws:iam::111122223333:user/alice');
      expect(log.mock.calls[0]).toEqual(['EC384_0', 'arn:aws:iam::111122223333:user/alice']);
    } finally {
      log.mockRestore();
    }
  });
});
