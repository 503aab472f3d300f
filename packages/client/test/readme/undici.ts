import { Agent, request } from 'undici';
import { callerid } from '@callerid/client/undici';

const PAYMENTS_URL = process.env.PAYMENTS_URL ?? 'https://payments.internal';

// One agent for every service: each origin gets a token for its own audience; others get no header.
const audiences: Record<string, string> = { [new URL(PAYMENTS_URL).origin]: 'payments-api' };
const agent = new Agent().compose(callerid({ audience: (origin) => audiences[origin] }));

const { statusCode, body } = await request(`${PAYMENTS_URL}/whoami`, { dispatcher: agent });
console.log(statusCode, await body.json());
await agent.close();
