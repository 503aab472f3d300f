import { describe, expectTypeOf, it } from 'vitest';
import Fastify, { type FastifyRequest } from 'fastify';
import type { Authenticator, Identity } from '@callerid/core';
import callerid, { requireCaller, requireGroups, type CallerIdFastifyOptions } from '../src/index.js';

describe('@callerid/fastify types', () => {
  it('request.caller is the verified Identity (null when anonymous or opted out)', () => {
    expectTypeOf<FastifyRequest['caller']>().toEqualTypeOf<Identity | null>();
    const app = Fastify();
    app.get('/', async (request) => {
      expectTypeOf(request.caller).toEqualTypeOf<Identity | null>();
      if (request.caller) expectTypeOf(request.caller).toEqualTypeOf<Identity>();
      return 'ok';
    });
  });

  it('plugin options, route config, guards and the instance decorator are typed', async () => {
    const app = Fastify();
    await app.register(callerid, { audience: 'a', global: false, credentialsRequired: false });
    // @ts-expect-error audience is required
    await app.register(callerid, {});
    app.get('/', { config: { callerid: true }, onRequest: requireCaller({ accounts: ['111122223333'] }), preHandler: requireGroups('admins') }, async () => 'ok');
    // @ts-expect-error route config takes a boolean
    app.get('/x', { config: { callerid: 'yes' } }, async () => 'ok');
    expectTypeOf(app.callerid).toEqualTypeOf<Authenticator<FastifyRequest>>();
    expectTypeOf<CallerIdFastifyOptions['getToken']>().parameter(0).toEqualTypeOf<FastifyRequest>();
  });
});
