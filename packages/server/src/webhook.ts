/**
 * `POST /authenticate`: Kubernetes webhook token authentication. Core verifies the token (audience: the
 * cluster id), maps it (an unmapped caller is refused), and this route translates the verdict:
 *
 * - a caller: 200, `status.authenticated: true` and the user in aws-iam-authenticator's shape;
 * - a refusal of the token or the caller: 200, `authenticated: false`, `status.error` saying why (a
 *   fixed text with the code). kube-apiserver caches it for `--authentication-token-webhook-cache-ttl`,
 *   which is right: the same token will be refused again;
 * - STS (or the mapping) unavailable: 503 with `Retry-After`. kube-apiserver treats a non-2xx answer as
 *   an error: it retries, answers that request 401, and caches nothing — so an outage never becomes a
 *   cached "unauthenticated";
 * - a body that is not a TokenReview: 400.
 */
import { createAuthenticator, isCallerIdError, kubernetesUserInfo, type Authenticator, type AuthenticatorOptions, type Identity, type Mapper } from '@callerid/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { KubernetesConfig } from './config.js';
import { readTokenReview, reviewedAudiences, tokenReviewAnswer, type TokenReviewRequest, type TokenReviewVersion } from './token-review.js';

/** What the webhook needs from the server. */
export interface WebhookDeps {
  config: KubernetesConfig;
  /** The verifier settings shared with `/auth` (STS endpoint, partitions, cache, clock). */
  verifierOptions: Omit<AuthenticatorOptions, 'audience'>;
  /** The current mapping, or `undefined` when none has loaded yet. */
  mapping: () => Mapper | undefined;
  log: Logger;
}

/** Registers the route; returns the authenticator (closed by the server). */
export function registerWebhook(app: FastifyInstance, deps: WebhookDeps): Authenticator<TokenReviewRequest> {
  const { config, log } = deps;
  const unmapped: Mapper = (identity) => identity;
  const auth = createAuthenticator<TokenReviewRequest>({
    ...deps.verifierOptions,
    audience: config.clusterId,
    map: (identity) => (deps.mapping() ?? unmapped)(identity),
    requireMapping: true,
    getToken: (review) => review.token,
    onRejected: ({ error, identity }) => log.warn({ route: 'authenticate', code: error.code, ...(identity ? { principal: identity.arn } : {}) }, 'refused'),
  });

  app.post('/authenticate', (request, reply) => {
    const review = readTokenReview(request.body);
    if ('invalid' in review) {
      log.warn({ route: 'authenticate', code: 'request_malformed', reason: review.invalid }, 'refused');
      return reply.code(400).send({ error: 'invalid_request', error_description: review.invalid });
    }
    // Without a mapping nobody can be mapped: that is the server's problem, not the caller's.
    if (!deps.mapping()) return unavailable(reply, review.apiVersion, 'the mapping file has not loaded');
    return auth.authenticate([], review).then(
      (identity) => authenticated(reply, review, identity!),
      (error: unknown) => refused(reply, review.apiVersion, error, log),
    );
  });
  return auth;

  function authenticated(reply: FastifyReply, review: TokenReviewRequest, identity: Identity) {
    const audiences = reviewedAudiences(review.audiences, config.clusterId);
    const user = kubernetesUserInfo(identity, { uidPrefix: config.uidPrefix });
    log.info({ route: 'authenticate', principal: identity.arn, username: user.username }, 'authenticated');
    return reply.send(tokenReviewAnswer(review.apiVersion, { authenticated: true, user, ...(audiences ? { audiences } : {}) }));
  }
}

function refused(reply: FastifyReply, apiVersion: TokenReviewVersion, error: unknown, log: Logger) {
  if (!isCallerIdError(error)) {
    log.error({ route: 'authenticate', err: error }, 'internal error');
    return reply.code(500).send(tokenReviewAnswer(apiVersion, { authenticated: false, error: 'internal error' }));
  }
  if (error.status === 503) return unavailable(reply, apiVersion, `${error.code}: ${error.message}`, error.headers['Retry-After']);
  return reply.send(tokenReviewAnswer(apiVersion, { authenticated: false, error: `${error.code}: ${error.message}` }));
}

function unavailable(reply: FastifyReply, apiVersion: TokenReviewVersion, why: string, retryAfter = '1') {
  return reply.code(503).header('retry-after', retryAfter).send(tokenReviewAnswer(apiVersion, { authenticated: false, error: why }));
}
