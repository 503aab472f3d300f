/**
 * The `sub` of an AWS web identity token: the IAM role ARN (for roles and their sessions) or the IAM
 * user ARN of the caller. Nothing else is a valid subject.
 */
import type { Partition } from '../identity.js';

const PARTITIONS: ReadonlySet<string> = new Set<Partition>([
  'aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc',
]);

// arn:<partition>:iam::<account>:(role|user)<path><name>; IAM paths are `/` or `/a/b/` of printable
// ASCII (at most 512 characters), names are 1–64 of [A-Za-z0-9+=,.@_-].
const IAM_PRINCIPAL_ARN = /^arn:([a-z-]{1,16}):iam::(\d{12}):(role|user)(\/(?:[\x21-\x2e\x30-\x7e]+\/)*)([\w+=,.@-]{1,64})$/;
const MAX_PATH_LENGTH = 512;

/** A validated IAM role or user ARN. */
export interface IamPrincipal {
  partition: Partition;
  accountId: string;
  principalType: 'role' | 'user';
  /** The IAM path, `/` when none. */
  path: string;
  name: string;
}

/** Parses an IAM role or user ARN strictly; `undefined` for anything else. */
export function parseIamPrincipalArn(arn: string): IamPrincipal | undefined {
  const match = IAM_PRINCIPAL_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, accountId, type, path, name] = match as unknown as [string, string, string, 'role' | 'user', string, string];
  if (!PARTITIONS.has(partition) || path.length > MAX_PATH_LENGTH) return undefined;
  return { partition: partition as Partition, accountId, principalType: type, path, name };
}
