/**
 * Smoke test: `src/main.ts` run as a real process (default credential chain from the environment)
 * against the Express example API and a real sts-local, over loopback, with the cases the three client
 * examples share (`@callerid/test-harness/examples`).
 */
import { createApp } from '@callerid/example-express-api/app';
import { describeClientScript } from '@callerid/test-harness/examples';

describeClientScript('client-axios', new URL('..', import.meta.url), createApp);
