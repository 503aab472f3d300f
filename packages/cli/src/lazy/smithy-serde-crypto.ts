/**
 * What `@smithy/core`'s serde module takes from `node:crypto` and from its UUID module, fetched on
 * first use. The signer needs serde's encoders, and serde would otherwise load `node:crypto` (and touch
 * the global `crypto`, which loads Web Crypto) as it is imported — though `callerid token` never makes
 * a random value or a UUID. The build resolves serde's two imports here (tsup.config.ts).
 */

/** `node:crypto`'s `getRandomValues`, loaded when first called. */
export function getRandomValues<T extends ArrayBufferView>(array: T): T {
  return process.getBuiltinModule('node:crypto').getRandomValues(array);
}

/** serde's `bindV4`: a UUID v4 maker, here `node:crypto`'s `randomUUID` loaded when first called. */
export function bindV4(): () => string {
  return () => process.getBuiltinModule('node:crypto').randomUUID();
}
