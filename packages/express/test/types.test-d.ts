import { describe, expectTypeOf, it } from 'vitest';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Authenticator, Identity } from '@callerid/core';
import { callerid, callerIdErrorHandler, requireCaller, requireGroups, type CallerIdExpressOptions } from '../src/index.js';

describe('@callerid/express types', () => {
  it('req.caller is the verified Identity (null for an anonymous request)', () => {
    expectTypeOf<Request['caller']>().toEqualTypeOf<Identity | null>();
    const handler: RequestHandler = (req) => {
      expectTypeOf(req.caller).toEqualTypeOf<Identity | null>();
      if (req.caller) expectTypeOf(req.caller).toEqualTypeOf<Identity>();
    };
    expectTypeOf(handler).toBeFunction();
  });

  it('middleware, guards and error handler have Express types', () => {
    expectTypeOf(callerid({ audience: 'a' })).toExtend<RequestHandler>();
    expectTypeOf(callerid({ audience: 'a' }).authenticator).toEqualTypeOf<Authenticator<Request>>();
    expectTypeOf(requireCaller({ accounts: ['111122223333'] })).toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireGroups('admins', 'ops')).toEqualTypeOf<RequestHandler>();
    expectTypeOf(callerIdErrorHandler()).toEqualTypeOf<ErrorRequestHandler>();
  });

  it('getToken receives the Express request; audience is required', () => {
    expectTypeOf<CallerIdExpressOptions['getToken']>().parameter(0).toEqualTypeOf<Request>();
    expectTypeOf<CallerIdExpressOptions>().toHaveProperty('audience').toEqualTypeOf<string>();
    // @ts-expect-error audience is required
    callerid({});
  });
});
