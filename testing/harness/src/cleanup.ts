/**
 * Cleanup that runs whether or not the test's assertions pass: resources are registered with
 * `onTestFinished` (one test) or `afterAll` (a file's fixture) when they are created, never closed at
 * the end of a test body.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/** Something a test starts and must stop: a server, sts-local, a verifier, a child process. */
export interface Closeable {
  close(): unknown;
}

/**
 * `close` made safe to call more than once: the first call closes, later calls wait for that same close.
 * Outage tests close sts-local mid-test and keep the registered cleanup as a backstop.
 */
export function once<T>(close: () => Promise<T> | T): () => Promise<T> {
  let closing: Promise<T> | undefined;
  return () => (closing ??= Promise.resolve().then(close));
}

/**
 * Registers `resource.close()` to run when the current test finishes (passed or failed) and returns that
 * close, idempotent: a test that must stop the resource early (an outage) calls it, and the registered
 * cleanup is then a no-op backstop.
 */
export function closeWhenTestEnds(resource: Closeable): () => Promise<void> {
  const close = once(async () => {
    await resource.close();
  });
  onTestFinished(close);
  return close;
}

/** A fresh temporary directory, removed after the file's tests. */
export function useTempDir(prefix = 'callerid-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
