/**
 * Prometheus metrics, fed by core's diagnostics channels (`callerid:verify`, `callerid:sts`,
 * `callerid:store`) rather than by counters sprinkled through the server: whatever core verifies is
 * counted once, by the same events `NODE_DEBUG=callerid` prints. Only reloads are counted here, since
 * only the server reloads files.
 *
 * Channels are process-wide: verifications are counted for this server's audiences only; STS and
 * store events carry no audience and count for the whole process.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS as CHANNELS, type StoreEvent, type StsEvent, type VerifyEvent } from '@callerid/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Which watched file a reload was of. */
export type ReloadedFile = 'mapping' | 'tls';

/** The server's metrics. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Records one load of a watched file. */
  reloaded(file: ReloadedFile, ok: boolean): void;
  /** Stops listening to the channels. */
  close(): void;
}

/**
 * @param audiences the audiences whose verifications this server counts.
 * @param cacheSize the current number of cached verdicts.
 */
export function createMetrics(audiences: ReadonlySet<string>, cacheSize: () => number): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const onVerify = verificationCounters(registers, audiences);
  new Gauge({ name: 'callerid_cache_entries', help: 'Verdicts in the verified-token cache.', registers, collect() { this.set(cacheSize()); } });
  const stsCalls = new Counter({ name: 'callerid_sts_requests_total', help: 'STS round trips by outcome (ok, rejected, unavailable).', labelNames: ['outcome'], registers });
  const stsDuration = new Histogram({
    name: 'callerid_sts_request_duration_seconds', help: 'STS round-trip time by outcome.', labelNames: ['outcome'], registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const store = new Counter({ name: 'callerid_store_events_total', help: 'Shared cache store problems by store and outcome.', labelNames: ['store', 'outcome'], registers });
  const reloads = new Counter({ name: 'callerid_config_reloads_total', help: 'Loads of watched files (mapping, tls) by result (success, failure).', labelNames: ['file', 'result'], registers });
  const loaded = new Gauge({ name: 'callerid_config_last_load_success', help: '1 when the last load of the file succeeded (the server keeps the last good one otherwise).', labelNames: ['file'], registers });

  const onSts = (message: unknown): void => {
    const event = message as StsEvent;
    stsCalls.inc({ outcome: event.outcome });
    stsDuration.observe({ outcome: event.outcome }, event.durationMs / 1000);
  };
  const onStore = (message: unknown): void => {
    const event = message as StoreEvent;
    store.inc({ store: event.store, outcome: event.outcome });
  };
  subscribe(CHANNELS.verify, onVerify);
  subscribe(CHANNELS.sts, onSts);
  subscribe(CHANNELS.store, onStore);

  return {
    registry,
    reloaded(file, ok) {
      reloads.inc({ file, result: ok ? 'success' : 'failure' });
      loaded.set({ file }, ok ? 1 : 0);
    },
    close() {
      unsubscribe(CHANNELS.verify, onVerify);
      unsubscribe(CHANNELS.sts, onSts);
      unsubscribe(CHANNELS.store, onStore);
    },
  };
}

/**
 * `callerid_verifications_total` and `callerid_cache_lookups_total`, and the `callerid:verify`
 * subscriber that feeds them. Verifications and cache lookups happen on every request, cached ones
 * included: they are counted as plain numbers and handed to prom-client only when /metrics is read,
 * since a labelled `inc()` validates and hashes its labels on each call.
 */
function verificationCounters(registers: Registry[], audiences: ReadonlySet<string>): (message: unknown) => void {
  const counts = new Map<string, { outcome: string; code: string; n: number }>();
  const lookups = { hit: 0, miss: 0 };
  new Counter({
    name: 'callerid_verifications_total', help: 'Token verifications by result (accepted, rejected, unavailable) and error code.', labelNames: ['result', 'code'], registers,
    collect() {
      this.reset();
      for (const { outcome, code, n } of counts.values()) this.inc({ result: outcome, code }, n);
    },
  });
  new Counter({
    name: 'callerid_cache_lookups_total', help: 'Verified-token cache lookups by result (hit, miss).', labelNames: ['result'], registers,
    collect() {
      this.reset();
      for (const result of ['hit', 'miss'] as const) if (lookups[result] > 0) this.inc({ result }, lookups[result]);
    },
  });
  return (message) => {
    const event = message as VerifyEvent;
    if (!audiences.has(event.audience)) return;
    const key = event.code === undefined ? event.outcome : `${event.outcome}:${event.code}`;
    const count = counts.get(key);
    if (count) count.n++;
    else counts.set(key, { outcome: event.outcome, code: event.code ?? '', n: 1 });
    if (event.cache !== 'off') lookups[event.cache]++;
  };
}
