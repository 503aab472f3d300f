/**
 * Real `redis-server` processes for the tests: each on a free loopback port with its own temporary
 * directory, no persistence, stopped (and its directory removed) by the caller's cleanup. Also a
 * 3-master Cluster (`--cluster-enabled yes` ×3 + `redis-cli --cluster create`), and a socket that
 * accepts connections and never answers.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@callerid/test-harness';

const run = promisify(execFile);
// Valkey's binaries take the same arguments: CALLERID_REDIS_SERVER=valkey-server CALLERID_REDIS_CLI=valkey-cli.
const SERVER = process.env.CALLERID_REDIS_SERVER ?? 'redis-server';
const CLI = process.env.CALLERID_REDIS_CLI ?? 'redis-cli';

/** Whether the server and the CLI are installed (`.ci/run` installs Debian's `redis-server`). */
export const hasRedis = [SERVER, CLI].every((bin) => spawnSync(bin, ['--version']).status === 0);

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Kills the server at once (SIGKILL): an outage. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts one `redis-server`; `extra` arguments are appended (e.g. Cluster mode). */
export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'callerid-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning', ...extra];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(SERVER, args, { stdio: 'ignore' });
    await waitForPing(port, child);
  };
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    const { stdout } = await run(CLI, ['-p', String(port), 'ping']).catch(() => ({ stdout: '' }));
    if (stdout.trim() === 'PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

export interface RedisCluster {
  readonly nodes: RedisServer[];
  /** The root nodes for node-redis's `createCluster({ rootNodes })`. */
  readonly rootNodes: { url: string }[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, all 16384 slots assigned; resolves once every node says `cluster_state:ok`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const stop = () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined);
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']));
    await run(CLI, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitForClusterOk(nodes);
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, rootNodes: nodes.map((n) => ({ url: n.url })), stop };
}

async function waitForClusterOk(nodes: RedisServer[]): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const infos = await Promise.all(nodes.map((n) => run(CLI, ['-p', String(n.port), 'cluster', 'info']).then((r) => r.stdout, () => '')));
    if (infos.every((info) => info.includes('cluster_state:ok'))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the Redis Cluster did not reach cluster_state:ok');
}

/** A TCP server on loopback that accepts connections and never answers: a hung Redis. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A loopback TCP proxy to `port` that can stop answering: after `freeze()`, it keeps every connection
 * open and holds back what clients send — a Redis that hangs — until `thaw()` delivers it, late but in
 * order, as a stalled Redis would answer.
 */
export async function startFreezableProxy(port: number): Promise<{ url: string; freeze(): void; thaw(): void; close(): Promise<void> }> {
  let frozen = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => {
      if (frozen) held.push(() => upstream.write(chunk));
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${own}`,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const deliver of held.splice(0)) deliver();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
