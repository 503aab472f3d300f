import type { Principal } from '../principals.js';
import type { ResultTree } from '../responses.js';

/** `GetCallerIdentity`: who signed the request, in STS's field order (UserId, Account, Arn). */
export function getCallerIdentity(principal: Principal): ResultTree {
  return { UserId: principal.userId, Account: principal.account, Arn: principal.arn };
}
