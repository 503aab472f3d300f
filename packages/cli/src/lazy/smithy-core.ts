// Built as its own file (dist/smithy-core.cjs): `@callerid/mint`'s credential loader imports
// `@smithy/core` on demand (to memoize an assumed role), which `callerid token` never needs.
export { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
