/** The shared interop fixtures (the repository's `fixtures/`), under the names core's tests use. */
export {
  AWS_CLI_FIXTURE_FILE,
  awsCli,
  credentialsOf,
  golden,
  queryParam,
  fixturePrincipal as principal,
  signedAtOfUrl as signedAtOf,
} from '../../../testing/harness/src/fixtures.js';
