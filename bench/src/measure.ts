/**
 * Thin wrappers over tinybench and autocannon: every statistic in the table comes from one of them.
 */
import autocannon from 'autocannon';
import { Bench, type Task } from 'tinybench';
import type { Profile } from './profile.js';

/** What one tinybench task measured. */
export interface TaskFigures {
  /** tinybench's mean throughput, operations per second. */
  opsPerSecond: number;
  /** tinybench's mean and median latency per operation, ms. */
  meanMs: number;
  p50Ms: number;
  /** tinybench's relative margin of error of the latency, %. */
  rme: number;
  samples: number;
}

export type Operation = () => unknown;

export interface TaskSpec {
  name: string;
  fn: Operation;
  /** Calls of `fn` per iteration, so the timer's resolution and tinybench's own cost are not what we measure. */
  batch?: number;
  /** `fn` returns a promise to await. */
  async?: boolean;
}

/**
 * The task tinybench times: `batch` calls of `fn`; each sample is the iteration's time per operation
 * (tinybench's `overriddenDuration`), so its latency is per operation and its throughput operations/s.
 */
function timed(bench: Bench, { fn, batch = 1, async = false }: TaskSpec): Operation {
  if (batch === 1) return fn;
  const result = (elapsed: number) => ({ overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed });
  if (async) {
    return async () => {
      const start = bench.now();
      for (let i = 0; i < batch; i++) await fn();
      return result(bench.now() - start);
    };
  }
  return () => {
    const start = bench.now();
    for (let i = 0; i < batch; i++) fn();
    return result(bench.now() - start);
  };
}

function figures(task: Task): TaskFigures {
  const result = task.result;
  if (result.state === 'errored') throw result.error;
  if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
  return {
    opsPerSecond: result.throughput.mean,
    meanMs: result.latency.mean,
    p50Ms: result.latency.p50,
    rme: result.latency.rme,
    samples: result.latency.samplesCount,
  };
}

/**
 * Runs the tasks in one tinybench `Bench` — one after the other, or with `interleave` (synchronous
 * tasks only) one iteration of each in turn — for the profile's time budget per task or a fixed
 * number of iterations, and returns each task's figures by name.
 */
export async function runTasks(
  profile: Profile,
  specs: readonly TaskSpec[],
  options: { iterations?: number; warmupIterations?: number; timeMs?: number; interleave?: boolean } = {},
): Promise<Map<string, TaskFigures>> {
  const fixed = options.iterations !== undefined;
  const warmupIterations = fixed ? (options.warmupIterations ?? 0) : 4;
  const bench = new Bench({
    throws: true,
    // tinybench's 'bench' concurrency starts every task at once; with synchronous (blocking) tasks that
    // means one iteration of each in turn — interleaved, never overlapping. Never for async tasks.
    concurrency: options.interleave ? 'bench' : null,
    time: fixed ? 0 : (options.timeMs ?? profile.taskMs),
    iterations: fixed ? options.iterations : profile.name === 'smoke' ? 2 : 16,
    warmup: fixed ? warmupIterations > 0 : profile.warmupMs > 0,
    warmupTime: fixed ? 0 : profile.warmupMs,
    warmupIterations,
  });
  for (const spec of specs) bench.add(spec.name, timed(bench, spec), spec.async ? { async: true } : {});
  await bench.run();
  return new Map(bench.tasks.map((task) => [task.name, figures(task)]));
}

/** tinybench's spread and sample count, for the table's note column. */
export function spread(f: TaskFigures): string {
  return `±${f.rme.toFixed(1)}%, n=${f.samples}`;
}

/** What one leg of load (or several, combined) measured. */
export interface LoadFigures {
  /** Completed requests ÷ autocannon's measured duration. */
  requestsPerSecond: number;
  requests: number;
  seconds: number;
  /** CPU time (user + system) of the process under test during the leg, µs, when the leg measures it. */
  cpuMicros?: number;
}

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  seconds: number;
  connections?: number;
}

/**
 * One autocannon run. Anything but a 2xx answer, an error or a timeout throws: a server answering 401
 * fast is not a fast server.
 */
export async function load(profile: Profile, spec: LoadSpec): Promise<LoadFigures> {
  const result = await autocannon({
    url: spec.url,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
    connections: spec.connections ?? profile.connections,
    duration: spec.seconds,
    sampleInt: profile.sampleIntMs,
    ...(spec.path === undefined ? {} : { requests: [{ path: spec.path }] }),
  });
  const bad = result.non2xx + result.errors + result.timeouts + result.mismatches;
  if (bad > 0) {
    const statuses = Object.keys(result.statusCodeStats ?? {}).join(', ');
    throw new Error(`${spec.url}: ${bad} failed requests (${result.errors} errors, ${result.timeouts} timeouts, statuses ${statuses})`);
  }
  if (result.requests.total === 0) throw new Error(`${spec.url}: no request completed`);
  return { requestsPerSecond: result.requests.total / result.duration, requests: result.requests.total, seconds: result.duration };
}

/** One leg of load lasting about `seconds`. */
export type Leg = (seconds: number) => Promise<LoadFigures>;

/**
 * Runs load variants in alternating legs of equal length (a warm-up leg each first, then `rounds` legs
 * each, the order reversing every round: ABC CBA ABC …) so that a busy moment of the machine, or a
 * drift of its speed, hits every variant alike. Each variant's figure is its completed requests over
 * its total measured time.
 */
export async function alternate<const T extends readonly Leg[]>(profile: Profile, ...variants: T): Promise<{ [K in keyof T]: LoadFigures }> {
  for (const leg of variants) await leg(profile.warmupSeconds);
  const legs: LoadFigures[][] = variants.map(() => []);
  const forward = variants.map((_, i) => i);
  const backward = [...forward].reverse();
  for (let round = 0; round < profile.rounds; round++) {
    for (const i of round % 2 === 0 ? forward : backward) legs[i]!.push(await variants[i]!(profile.legSeconds));
  }
  return legs.map(combine) as { [K in keyof T]: LoadFigures };
}

/** An autocannon leg (see {@link load}); with `cpuMicros`, it also measures that process's CPU time. */
export function cannonLeg(profile: Profile, spec: Omit<LoadSpec, 'seconds'>, cpuMicros?: () => Promise<number>): Leg {
  if (cpuMicros === undefined) return (seconds) => load(profile, { ...spec, seconds });
  return async (seconds) => {
    const before = await cpuMicros();
    const figures = await load(profile, { ...spec, seconds });
    return { ...figures, cpuMicros: (await cpuMicros()) - before };
  };
}

/** CPU time per completed request, µs, as the note columns print it. */
export function cpuPerRequest(f: LoadFigures): string {
  return f.cpuMicros === undefined ? '?' : `${(f.cpuMicros / f.requests).toFixed(1)} µs`;
}

function combine(legs: readonly LoadFigures[]): LoadFigures {
  const requests = legs.reduce((n, l) => n + l.requests, 0);
  const seconds = legs.reduce((n, l) => n + l.seconds, 0);
  const combined: LoadFigures = { requestsPerSecond: requests / seconds, requests, seconds };
  if (legs.every((l) => l.cpuMicros !== undefined)) combined.cpuMicros = legs.reduce((n, l) => n + l.cpuMicros!, 0);
  return combined;
}

/**
 * Async operations timed call by call, one call of each in turn, so that the machine's drifting load
 * falls on all of them alike (two ~40 µs loopback round trips compared on a shared machine): the mean
 * time per call of each, in ms, over `calls` calls each after `warmup` rounds.
 */
export async function interleaved(fns: Record<string, () => Promise<unknown>>, calls: number, warmup: number): Promise<Record<string, number>> {
  const entries = Object.entries(fns);
  const totals = new Map<string, number>(entries.map(([name]) => [name, 0]));
  for (let round = 0; round < warmup + calls; round++) {
    // The order flips every round: neither operation always follows the other.
    for (const [name, fn] of round % 2 ? [...entries].reverse() : entries) {
      const start = performance.now();
      await fn();
      if (round >= warmup) totals.set(name, totals.get(name)! + performance.now() - start);
    }
  }
  return Object.fromEntries([...totals].map(([name, total]) => [name, total / calls]));
}
