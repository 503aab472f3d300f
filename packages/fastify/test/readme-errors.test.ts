import { expect, it } from 'vitest';
import { CallerIdError as CoreCallerIdError, isCallerIdError as coreIsCallerIdError } from '@callerid/core';
import { CallerIdError, isCallerIdError } from '../src/index.js';
import { describeReadmeErrors, useSts } from '@callerid/test-harness';

const env = useSts();

describeReadmeErrors(new URL('./', import.meta.url), env, () => import('./readme-errors.js'));

it('re-exports core\'s error class and guard (one class: instanceof holds across both imports)', () => {
  expect(CallerIdError).toBe(CoreCallerIdError);
  expect(isCallerIdError).toBe(coreIsCallerIdError);
  expect(new CallerIdError('token_missing')).toBeInstanceOf(CoreCallerIdError);
});
