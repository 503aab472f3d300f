import { CallerIdError, isCallerIdError } from '../src/index.js';
import { describeReadmeErrors, useSts } from '@callerid/test-harness';

describeReadmeErrors(new URL('./', import.meta.url), useSts(), () => import('./readme-errors.js'), { CallerIdError, isCallerIdError });
