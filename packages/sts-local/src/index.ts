export { startStsLocal } from './server.js';
export type { StsLocal, StsLocalOptions } from './server.js';
export type { WebIdentityIssuerOptions } from './web-identity/issuer.js';
export { loadPrincipals } from './principals.js';
export type { Principal } from './principals.js';
export type { Faults, FaultRate } from './faults.js';
export type { ActionStats, StsLocalStats } from './stats.js';
export { STS_NAMESPACE } from './responses.js';
