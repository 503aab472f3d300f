import type { Framework } from '../apps.js';

/** What the bench asks its server host for, and what the host answers. */
export type HostJob =
  /** One Express, Fastify or Koa app (`app`): protected by callerid verifying against `stsUrl`, or unprotected without it. */
  | { kind: 'app'; framework: Framework; stsUrl?: string }
  /** A bare `node:http` server answering `200 ok` (the client group's target). */
  | { kind: 'plain' }
  /** sts-local with the bench principals (the sts-local group's target). */
  | { kind: 'sts-local' }
  /**
   * `@callerid/server` with forwardAuth for the bench audience (`serve`); Fastify answering an empty 200
   * on `/auth` (`fastify-200`); `node:http` doing the same (`node-200`).
   */
  | { kind: 'serve'; stsUrl: string }
  | { kind: 'fastify-200' }
  | { kind: 'node-200' };

export interface HostReady {
  ready: true;
  /** Server name (`app`, `plain`, `sts-local`) → URL. */
  urls: Record<string, string>;
}

/** The host's answer to a `cpu` message: its `process.cpuUsage()` so far (user + system), in µs. */
export interface HostCpu {
  cpuMicros: number;
}
