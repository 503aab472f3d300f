/**
 * The minting step a token provider calls. The default is `@callerid/core`'s `mintToken`; the option
 * exists so a caller can instrument or decorate minting (count mints, add tracing) without forking the
 * provider.
 */
import { mintToken, type MintedToken, type MintTokenOptions } from '@callerid/core';

/** What the provider asks the minting function for: the options of core's `mintToken`. */
export type MintRequest = MintTokenOptions;

/** A minted token and the moment clients should stop using it. */
export type MintResult = MintedToken;

/** A function that mints one token (default: `mintToken` from `@callerid/core`). */
export type MintFunction = (request: MintRequest) => Promise<MintResult>;

/** Core's `mintToken`. */
export const defaultMint: MintFunction = mintToken;
