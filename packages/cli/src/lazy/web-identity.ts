// Built as its own file (dist/web-identity.cjs) and required only by `callerid token --type
// web-identity`: it carries the AWS SDK's STS client, which `callerid token` for kubectl never needs.
export { mintWebIdentityToken } from '@callerid/mint';

// The SDK warns on Node < 22 about its own future support. The CLI bundles its SDK, so the warning is
// not something a user can act on, and it would land in kubectl's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
