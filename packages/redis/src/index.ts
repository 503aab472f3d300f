export { createRedisStore } from './store.js';
export type { RedisCommandClient, RedisStore } from './store.js';
export type { RedisStoreOptions } from './options.js';
export { StoreUnavailableError } from './circuit.js';
export { FORMAT_VERSION } from './keys.js';
