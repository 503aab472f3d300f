/**
 * `pnpm bench`: every figure of callerid's performance targets, measured side by side in one run,
 * printed as one table and written to `bench/results/latest.json`.
 *
 *   node --import tsx src/run.ts [--smoke] [--only <group>[,<group>…]] [--out <file>] [--strict]
 *
 * `--smoke` runs everything with tiny counts (a test does, so the bench cannot rot); `--strict` exits 1
 * when a speed target is missed. A failed measurement or a broken invariant (e.g. more than one STS
 * call for one token) always exits 1.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Group } from './group.js';
import { FULL, SMOKE } from './profile.js';
import { renderTable, results, row, writeResults, type Row } from './table.js';

/** The groups, in table order. Each is loaded only when it runs, so one missing build fails one group. */
interface GroupEntry {
  name: string;
  description: string;
  load(): Promise<Group>;
}

const GROUPS: readonly GroupEntry[] = [
  { name: 'mint', description: 'mintToken() ops/s; callerid token process wall time vs node -e 0 and aws eks get-token', load: async () => (await import('./mint.js')).mint },
  { name: 'verify', description: 'parseToken() and cached verify() ops/s, first verification latency, STS calls for 1,000 concurrent requests', load: async () => (await import('./verify.js')).verify },
  { name: 'middleware', description: 'requests/s protected ÷ unprotected for Express, Fastify and Koa (autocannon, cached token)', load: async () => (await import('./middleware.js')).middleware },
  { name: 'client', description: 'cached getToken() µs; withCallerId(fetch) ÷ bare fetch requests/s', load: async () => (await import('./client.js')).client },
  { name: 'jwt', description: 'web identity JWT verify(): cached ops/s, uncached RS256/ES384 vs bare jose.jwtVerify', load: async () => (await import('./jwt.js')).jwt },
  { name: 'shared-cache', description: 'Redis shared cache: local miss + Redis hit vs bare GET; STS calls for N instances × one token', load: async () => (await import('./shared-cache.js')).sharedCache },
  { name: 'serve', description: 'callerid serve /auth ÷ Fastify empty 200; nginx auth_request → callerid ÷ → nginx return 200', load: async () => (await import('./serve.js')).serve },
  { name: 'sts-local', description: 'sts-local presigned GetCallerIdentity requests/s with keep-alive (autocannon)', load: async () => (await import('./sts-local.js')).stsLocal },
  { name: 'footprint', description: 'cold import of express + @callerid/express ÷ express alone (CJS, ESM); npm install size added, @aws-sdk packages', load: async () => (await import('./footprint.js')).footprint },
];
const DEFAULT_OUT = fileURLToPath(new URL('../results/latest.json', import.meta.url));

const USAGE = `Usage: pnpm bench [--smoke] [--only <group>[,<group>…]] [--out <file>] [--strict]

Groups:
${GROUPS.map((g) => `  ${g.name.padEnd(11)} ${g.description}`).join('\n')}
`;

function options() {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const only = values.only?.flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !GROUPS.some((g) => g.name === name)) ?? [];
  if (unknown.length > 0) throw new TypeError(`unknown group: ${unknown.join(', ')}`);
  return { ...values, groups: only && only.length > 0 ? GROUPS.filter((g) => only.includes(g.name)) : GROUPS };
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof options>;
  try {
    opts = options();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const profile = opts.smoke ? SMOKE : FULL;
  const startedAt = new Date();
  const rows: Row[] = [];
  let failed = false;
  for (const group of opts.groups) {
    const ctx = {
      profile,
      report: (input: Parameters<typeof row>[1]) => void rows.push(row(group.name, input)),
      progress: (message: string) => void process.stderr.write(`[${group.name}] ${message}\n`),
    };
    const groupStart = Date.now();
    try {
      await (await group.load()).run(ctx);
      ctx.progress(`done in ${((Date.now() - groupStart) / 1_000).toFixed(1)} s`);
    } catch (err) {
      failed = true;
      // Error messages here are ours or a framework's; none carries a token.
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`[${group.name}] failed: ${message}\n`);
      rows.push(row(group.name, { metric: 'measurement failed', value: null, unit: '', note: message.slice(0, 120) }));
    }
  }

  const out = opts.out ?? DEFAULT_OUT;
  const data = results(rows, profile.name, startedAt);
  writeResults(out, data);
  process.stdout.write(`\n${renderTable(rows)}\n\n`);
  process.stdout.write(
    `${data.date} · Node ${data.node} · ${data.cpus} × ${data.cpuModel} · load average ${data.loadAverage.join(' ')} · ` +
      `${data.elapsedSeconds} s (${profile.name}) · written to ${out}\n`,
  );
  const brokenInvariant = rows.some((r) => r.invariant && r.pass === false);
  const missedTarget = rows.some((r) => r.pass === false);
  if (brokenInvariant) process.stderr.write('an invariant failed (see the table)\n');
  return failed || brokenInvariant || (opts.strict && missedTarget) ? 1 : 0;
}

// Exit now: idle keep-alive sockets (global fetch, undici) would otherwise hold the process for seconds.
process.exit(await main());
