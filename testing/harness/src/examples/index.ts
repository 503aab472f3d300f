/**
 * The harness the example tests share, so each example's test names only what differs (its app, its
 * folder). Tests only: the examples' `src/` never imports it and stays copyable on its own.
 */
export { ACCOUNT, ADMIN_ROLE, AUDIENCE, adminSession, alice, outsider, type Credentials } from './principals.js';
export { startDemoSts, tokenFor } from './sts.js';
export { childOutput, type ChildOutput } from './child-output.js';
export { describeExampleApi, type ExampleApiOptions, type StartExampleApi } from './example-api.js';
export { describeClientScript, runClientScript, type ClientScriptRun, type CreateNodeApi } from './client-script.js';
