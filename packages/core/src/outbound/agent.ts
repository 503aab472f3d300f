/**
 * The connection pool callerid creates when it is given none. The one module of core that loads
 * undici at run time: `OutboundPool` imports it on the first outbound request, so an application
 * that only ever answers cached tokens never loads undici.
 */
import { Agent } from 'undici';
import type { OutboundLimits } from './pool.js';

/** A keep-alive pool with every timeout of `limits` and undici's own body-size cap set. */
export function createOutboundAgent(limits: OutboundLimits): Agent {
  return new Agent({
    connectTimeout: limits.timeoutMs,
    headersTimeout: limits.timeoutMs,
    bodyTimeout: limits.timeoutMs,
    maxResponseSize: limits.maxResponseBytes,
    ...(limits.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: limits.keepAliveTimeoutMs }),
  });
}
