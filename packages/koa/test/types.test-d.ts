import { describe, expectTypeOf, it } from 'vitest';
import Koa, { type Context, type DefaultState, type Middleware } from 'koa';
import type { Authenticator, Identity } from '@callerid/core';
import { callerid, requireCaller, requireGroups, type CallerIdKoaOptions } from '../src/index.js';

describe('@callerid/koa types', () => {
  it('ctx.state.caller is the verified Identity (null for an anonymous request)', () => {
    expectTypeOf<DefaultState['caller']>().toEqualTypeOf<Identity | null>();
    const app = new Koa();
    app.use((ctx) => {
      expectTypeOf(ctx.state.caller).toEqualTypeOf<Identity | null>();
      if (ctx.state.caller) expectTypeOf(ctx.state.caller).toEqualTypeOf<Identity>();
    });
  });

  it('middleware and guards have Koa types', () => {
    expectTypeOf(callerid({ audience: 'a' })).toExtend<Middleware>();
    expectTypeOf(callerid({ audience: 'a' }).authenticator).toEqualTypeOf<Authenticator<Context>>();
    expectTypeOf(requireCaller({ principalTypes: ['user'] })).toEqualTypeOf<Middleware>();
    expectTypeOf(requireGroups('admins')).toEqualTypeOf<Middleware>();
    expectTypeOf<CallerIdKoaOptions['getToken']>().parameter(0).toEqualTypeOf<Context>();
    // @ts-expect-error audience is required
    callerid({});
  });
});
