/**
 * Smoke test: `src/main.ts` run as a real process (default credential chain from the environment)
 * against the Express example API and a real sts-local, over loopback, with the cases the three client
 * examples share (`@callerid/example-testkit`).
 */
import { createApp } from '@callerid/example-express-api/app';
import { describeClientScript } from '@callerid/example-testkit';

describeClientScript('client-axios', new URL('..', import.meta.url), createApp);
