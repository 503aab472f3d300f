/**
 * The TokenReview objects of Kubernetes webhook token authentication (`authentication.k8s.io/v1` and
 * `v1beta1`, which have the same fields), read strictly and answered in the version asked.
 */
import type { KubernetesUserInfo } from '@callerid/core';

/** The API versions `POST /authenticate` accepts. */
export const TOKEN_REVIEW_VERSIONS = ['authentication.k8s.io/v1', 'authentication.k8s.io/v1beta1'] as const;
export type TokenReviewVersion = (typeof TOKEN_REVIEW_VERSIONS)[number];

/** A TokenReview request, validated. */
export interface TokenReviewRequest {
  apiVersion: TokenReviewVersion;
  token: string;
  /** `spec.audiences`: the audiences the caller of the review identifies as (may be empty). */
  audiences: string[];
}

/** `status` of a TokenReview answer. */
export interface TokenReviewStatus {
  authenticated: boolean;
  user?: KubernetesUserInfo;
  audiences?: string[];
  error?: string;
}

const TOP_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const SPEC_KEYS = new Set(['token', 'audiences']);
const MAX_AUDIENCES = 64;

/**
 * Validates a decoded request body; returns the request, or a fixed reason (never echoing input) when
 * it is not a TokenReview this server answers.
 */
export function readTokenReview(body: unknown): TokenReviewRequest | { invalid: string } {
  if (!isObject(body)) return { invalid: 'the body must be a TokenReview object' };
  if (Object.keys(body).some((k) => !TOP_KEYS.has(k))) return { invalid: 'the TokenReview has an unexpected field' };
  const { apiVersion, kind, spec } = body;
  if (!TOKEN_REVIEW_VERSIONS.includes(apiVersion as TokenReviewVersion)) return { invalid: 'apiVersion must be authentication.k8s.io/v1 or v1beta1' };
  if (kind !== 'TokenReview') return { invalid: 'kind must be TokenReview' };
  if (body.metadata !== undefined && !isObject(body.metadata)) return { invalid: 'metadata must be an object' };
  if (!isObject(spec) || Object.keys(spec).some((k) => !SPEC_KEYS.has(k))) return { invalid: 'spec must hold token and, optionally, audiences' };
  if (typeof spec.token !== 'string') return { invalid: 'spec.token must be a string' };
  const audiences = spec.audiences ?? [];
  if (!Array.isArray(audiences) || audiences.length > MAX_AUDIENCES || !audiences.every((a) => typeof a === 'string')) {
    return { invalid: `spec.audiences must be a list of at most ${MAX_AUDIENCES} strings` };
  }
  return { apiVersion: apiVersion as TokenReviewVersion, token: spec.token, audiences: audiences };
}

/** The answer object, in the request's version. */
export function tokenReviewAnswer(apiVersion: TokenReviewVersion, status: TokenReviewStatus): object {
  return { apiVersion, kind: 'TokenReview', status };
}

/**
 * `status.audiences` for a verified token. A token is bound to the cluster id (its `x-k8s-aws-id`): when
 * the review names that audience, it is the intersection; otherwise the answer carries none, which the
 * Kubernetes API defines as "valid for the API server's own audiences" — so kube-apiserver accepts it for
 * its implicit audiences and refuses it for any other audience a TokenReview asks about.
 */
export function reviewedAudiences(requested: readonly string[], clusterId: string): string[] | undefined {
  return requested.includes(clusterId) ? [clusterId] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
