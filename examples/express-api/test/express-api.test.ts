/**
 * Smoke test: the example API against a real sts-local, over loopback, with the cases the three API
 * examples share (`@callerid/test-harness/examples`). `createApp` is tested in-process; `server.ts` is started
 * as a child process (with PORT=0) to prove the runnable entry point works too.
 */
import { createServer } from 'node:http';
import { listening } from '@callerid/test-harness';
import { describeExampleApi } from '@callerid/test-harness/examples';
import { createApp } from '../src/app.js';

describeExampleApi('express-api', new URL('..', import.meta.url), async (options) => {
  const api = createApp(options);
  return listening(createServer(api.app).listen(0, '127.0.0.1'), () => api.close());
});
