/** The principal and the STS host name sts-local's own tests sign with. */
import type { Principal } from '@callerid/sts-local';

/** An IAM user of account 111122223333, with throwaway keys. */
export const alice: Principal = {
  accessKeyId: 'AKIAXCALLERIDALICE01',
  secretAccessKey: 'alice/secret/Key+0123456789abcdefghijklmn',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDAXCALLERIDALICE001',
  account: '111122223333',
};

/** The regional STS host the test requests are signed for. */
export const HOST = 'sts.us-west-2.amazonaws.com';
