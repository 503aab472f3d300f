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

/** A verified AWS caller. */
export interface Identity {
  /** The ARN as STS reported it (for assumed roles: `arn:…:sts::<acct>:assumed-role/<role>/<session>`). */
  arn: string;
  /** The stable ARN to write policies against: assumed roles become `arn:…:iam::<acct>:role/<role>`. */
  canonicalArn: string;
  /** The 12-digit account id. */
  accountId: string;
  /** The partition (`aws`, `aws-cn`, `aws-us-gov`, …). */
  partition: string;
  principalType: PrincipalType;
  /** STS `UserId` (`AIDA…`, or `AROA…:<session>` for assumed roles). */
  userId: string;
  /** For assumed roles: the session name. */
  sessionName?: string;
  /** For roles and assumed roles: the role name (without its IAM path, which STS does not report). */
  roleName?: string;
  /** For IAM users (and federated users): the user name. */
  userName?: string;
  tokenType: TokenType;
  /** For presigned tokens: the STS host the token was signed for. */
  stsHost?: string;
  /**
   * For presigned tokens: the access key id that signed the token. STS checked the signature with this
   * key, so it is as trustworthy as the ARN; it is not a secret (aws-iam-authenticator reports it too).
   */
  accessKeyId?: string;
  /** For presigned tokens: the signing region; for web identity tokens: `source_region`. */
  region?: string;
  /** When the token stops being accepted (ISO 8601). */
  expiresAt: string;
  /** For web identity tokens: the issuer. */
  issuer?: string;
  /** For web identity tokens: the AWS namespace claims. */
  claims?: WebIdentityClaims;
  /** Set by the `map` option (aws-auth style mapping). */
  username?: string;
  /** Set by the `map` option (aws-auth style mapping). */
  groups?: string[];
}
