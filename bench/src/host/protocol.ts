/** What the bench asks its server host for, and what the host answers. */
export type HostJob =
  /** Express, Fastify and Koa, each unprotected and protected by callerid (verifying against `stsUrl`). */
  | { kind: 'frameworks'; stsUrl: string }
  /** A bare `node:http` server answering `200 ok` (the client group's target). */
  | { kind: 'plain' }
  /** sts-local with the bench principals (the sts-local group's target). */
  | { kind: 'sts-local' };

export interface HostReady {
  ready: true;
  /** Server name (`express:protected`, `plain`, `sts-local`, …) → URL. */
  urls: Record<string, string>;
}
