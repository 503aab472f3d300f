/**
 * The adapters' README error examples (`packages/<adapter>/test/readme-errors.ts`): each README embeds
 * the file verbatim; it answers callerid's refusals in its own JSON format, importing only the
 * adapter (which re-exports `isCallerIdError`), and each runs the same flow against sts-local.
 */
import { CallerIdError, isCallerIdError } from '@callerid/core';
import { expect, it } from 'vitest';
import { describeReadmeModule, type ReadmeServerModule } from './readme-server.js';
import { alice } from './principals.js';
import { bearer, forgeSignature, type StsFixture } from './sts.js';

/** What an adapter re-exports from core so that its users need not install core to catch refusals. */
export interface ErrorReexports {
  CallerIdError: typeof CallerIdError;
  isCallerIdError: typeof isCallerIdError;
}

/**
 * The `README errors` suite of an adapter's tests (`testDir`: its `test/` folder): the adapter
 * re-exports core's error class and guard themselves (`instanceof` holds across both imports); the
 * README holds `./readme-errors.ts` verbatim, and loaded (`load`) with sts-local as its STS it answers
 * a missing token, a forged token and STS throttling with `{ problem, retryable }`, the status and the
 * headers of the refusal, and alice with her ARN.
 */
export function describeReadmeErrors(testDir: URL, env: StsFixture, load: () => Promise<ReadmeServerModule>, adapter: ErrorReexports): void {
  it("re-exports core's error class and guard (one class: instanceof holds across both imports)", () => {
    expect(adapter.CallerIdError).toBe(CallerIdError);
    expect(adapter.isCallerIdError).toBe(isCallerIdError);
    expect(new adapter.CallerIdError('token_missing')).toBeInstanceOf(CallerIdError);
  });

  describeReadmeModule({ suite: 'README errors', file: 'readme-errors.ts', flow: 'answers refusals as documented' }, testDir, env, load, async (base) => {
    const url = `${base}/whoami`;

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="callerid"');
    expect(await anonymous.json()).toEqual({ problem: 'token_missing', retryable: false });

    const forged = await fetch(url, { headers: bearer(forgeSignature(env.aliceToken)) });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer realm="callerid", error="invalid_token"/);
    expect(await forged.json()).toEqual({ problem: 'sts_signature_mismatch', retryable: false });

    env.sts.setFaults({ throttle: { fraction: 1 } });
    try {
      const throttled = await fetch(url, { headers: bearer(env.aliceToken) });
      expect(throttled.status).toBe(503);
      expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await throttled.json()).toEqual({ problem: 'sts_throttled', retryable: true });
    } finally {
      env.sts.setFaults({});
    }

    const known = await fetch(url, { headers: bearer(env.aliceToken) });
    expect(known.status).toBe(200);
    expect(await known.json()).toEqual({ arn: alice.arn });
  });
}
