import { startStsLocal, type StsLocalStats } from '@callerid/sts-local';

const sts = await startStsLocal({
  principals: [
    {
      accessKeyId: 'AKIAXEXAMPLEALICE001',
      secretAccessKey: 'example/alice/secret+0123456789abcdefghij',
      arn: 'arn:aws:iam::111122223333:user/alice',
      userId: 'AIDAXEXAMPLEALICE0001',
      account: '111122223333',
      canAssume: ['arn:aws:iam::111122223333:role/*'], // the default: any role in its own account
    },
  ],
  faults: { throttle: { count: 1 } }, // the first STS request gets 400 Throttling "Rate exceeded"
});

// Point clients at sts.url: the AWS CLI with --endpoint-url, callerid's verifier with stsEndpoint.
sts.setFaults({ latencyMs: 50, serverError: { fraction: 0.1, status: 503 } }); // change faults at run time
sts.setFaults(undefined); // … or turn them off

sts.addPrincipal({
  accessKeyId: 'ASIAXEXAMPLESESSION1',
  secretAccessKey: 'example/session/secret+0123456789abcdefg',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEsessionToken', // requests must carry exactly this token
  arn: 'arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42',
  userId: 'AROAXEXAMPLEDEPLOYER:ci-run-42',
  account: '111122223333',
});

// Per-action counts of requests, acceptances and rejections (by error code).
const stats = (await (await fetch(`${sts.url}/_local/stats`)).json()) as StsLocalStats; // the same as sts.stats()
console.log(stats.totals); // { requests: 0, accepted: 0, rejected: 0 }

await sts.close();
export { stats };
