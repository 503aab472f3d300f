/** the repository's `fixtures/aws-cli-tokens.json` (real AWS CLI v2 tokens and botocore-signed POSTs), under the names sts-local's tests use. */
export {
  AWS_CLI_FIXTURE_FILE as FIXTURE_FILE,
  awsCli as fixtures,
  fixturePrincipal as principalNamed,
  amzDateMs,
  signedAtOfUrl,
  tokenUrl,
  type FixtureEksToken as FixtureToken,
  type FixturePost,
} from '../../../../testing/harness/src/fixtures.js';
