/**
 * The one test harness of the repository (private, tests only; see README.md): ports, cleanup,
 * processes, principals, sts-local fixtures, the interop fixtures and the adapters' README suite.
 * The examples' smoke-test kit is the `./examples` subpath.
 */
export { closedPortUrl, freePort, urlOf } from './ports.js';
export { listening, listeningForTest, type Listening } from './servers.js';
export { closeWhenTestEnds, once, useTempDir, type Closeable } from './cleanup.js';
export { NGINX, PYTHON, start, startNginx, waitFor, waitForPort, type Running } from './processes.js';
export { KUBECTL, kubectlEnv, runKubectl, selfSignedCertificate, useKubectlWorkspace, type KubectlWorkspace } from './kubectl.js';
export { ACCT, admin, alice, AUDIENCE, ci, type Credentials } from './principals.js';
export { assumeRole, bearer, forgeSignature, startSts, tokenFor, useSts, useStsLocal, type StsFixture } from './sts.js';
export { describeReadmeServer, type ReadmeServerModule } from './readme-server.js';
export { describeReadmeErrors } from './readme-errors.js';
export * from './fixtures.js';
