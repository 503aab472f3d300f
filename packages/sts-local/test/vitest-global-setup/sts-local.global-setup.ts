// One sts-local for the whole test run; tests read its URL with inject('stsUrl').
import type { TestProject } from 'vitest/node';
import { startStsLocal } from '@callerid/sts-local';

declare module 'vitest' {
  export interface ProvidedContext {
    stsUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const sts = await startStsLocal({
    principals: [
      {
        accessKeyId: 'AKIAXEXAMPLEALICE001',
        secretAccessKey: 'example/alice/secret+0123456789abcdefghij',
        arn: 'arn:aws:iam::111122223333:user/alice',
        userId: 'AIDAXEXAMPLEALICE0001',
        account: '111122223333',
      },
    ],
  });
  project.provide('stsUrl', sts.url);
  return () => sts.close();
}
