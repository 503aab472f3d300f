// Built as its own file (dist/credential-providers.cjs) and required only when the AWS SDK's credential
// chain is needed: parsing it costs more than the rest of `callerid token` together.
export { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
