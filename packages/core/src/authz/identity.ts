/**
 * The verified caller. Every field comes from a trusted source (STS's answer for presigned tokens, the
 * verified JWT for web identity tokens), never from the unverified token. This is also the JSON the
 * CLI prints.
 */

/** AWS partitions callerid knows the STS endpoints of. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f' | 'aws-eusc';

/** What kind of IAM principal the caller is. */
export type PrincipalType = 'user' | 'assumed-role' | 'role' | 'root' | 'federated-user';

/** How the caller proved its identity. */
export type TokenType = 'presigned' | 'web-identity';

/** The namespace claims of an AWS web identity JWT (key `https://sts.amazonaws.com/`). */
export interface WebIdentityClaims {
  aws_account?: string;
  source_region?: string;
  principal_id?: string;
  org_id?: string;
  /** Seen from AWS both as a string and as an array of strings. */
  ou_path?: string | string[];
  principal_tags?: Record<string, string>;
  request_tags?: Record<string, string>;
  original_session_exp?: string;
  [claim: string]: unknown;
}

/**
 * What every verified caller has, whatever the token kind. Narrow an {@link Identity} on `tokenType`
 * to reach the fields only one kind has.
 */
export interface IdentityBase {
  /** How the caller proved its identity; the discriminant of {@link Identity}. */
  tokenType: TokenType;
  /** The ARN as STS reported it (for assumed roles: `arn:…:sts::<acct>:assumed-role/<role>/<session>`). */
  arn: string;
  /** The stable ARN to write policies against: assumed roles become `arn:…:iam::<acct>:role/<role>`. */
  canonicalArn: string;
  /** The 12-digit account id. */
  accountId: string;
  /** The partition (`aws`, `aws-cn`, `aws-us-gov`, …). */
  partition: Partition;
  principalType: PrincipalType;
  /**
   * STS `UserId` (`AIDA…`, or `AROA…:<session>` for assumed roles); for web identity tokens the
   * `principal_id` claim, or `''` when the token carries none.
   */
  userId: string;
  /** For assumed roles (and web identity role sessions): the session name. */
  sessionName?: string;
  /** For roles and assumed roles: the role name (without its IAM path, which STS does not report). */
  roleName?: string;
  /** For IAM users (and federated users): the user name. */
  userName?: string;
  /** For presigned tokens: the signing region; for web identity tokens: `source_region`, when present. */
  region?: string;
  /** When the token stops being accepted (ISO 8601). */
  expiresAt: string;
  /** Set by the `map` option (aws-auth style mapping). */
  username?: string;
  /** Set by the `map` option (aws-auth style mapping). */
  groups?: string[];
}

/** A caller verified by an EKS-style presigned STS GetCallerIdentity token (`k8s-aws-v1.…`). */
export interface PresignedIdentity extends IdentityBase {
  tokenType: 'presigned';
  /** The STS host the token was signed for. */
  stsHost: string;
  /**
   * The access key id that signed the token. STS checked the signature with this key, so it is as
   * trustworthy as the ARN; it is not a secret (aws-iam-authenticator reports it too).
   */
  accessKeyId: string;
  /** The signing region (the STS host's region; `us-east-1` for the global host). */
  region: string;
}

/** A caller verified by an AWS web identity JWT (`sts:GetWebIdentityToken`). */
export interface WebIdentity extends IdentityBase {
  tokenType: 'web-identity';
  /** AWS issues web identity tokens to IAM roles (for their sessions) and users only. */
  principalType: 'role' | 'user';
  /** The issuer (`iss`), one of the configured trusted issuers. */
  issuer: string;
  /** The AWS namespace claims (`https://sts.amazonaws.com/`). */
  claims: WebIdentityClaims;
}

/**
 * A verified AWS caller: one of the token kinds, told apart by `tokenType`.
 *
 * @example
 * ```ts
 * if (identity.tokenType === 'web-identity') console.log(identity.issuer, identity.claims.org_id);
 * else console.log(identity.stsHost, identity.accessKeyId);
 * ```
 */
export type Identity = PresignedIdentity | WebIdentity;
