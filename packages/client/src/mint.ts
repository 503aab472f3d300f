/**
 * The minting step a token provider calls. The default is `@callerid/mint`'s `mintToken`; the option
 * exists so a caller can instrument or decorate minting (count mints, add tracing) without forking the
 * provider.
 */
import { mintToken, type MintedToken, type MintTokenOptions } from '@callerid/mint';

/** What the provider asks the minting function for: the options of `@callerid/mint`'s `mintToken`. */
export type MintRequest = MintTokenOptions;

/** A minted token and the moment clients should stop using it. */
export type MintResult = MintedToken;

/** A function that mints one token (default: `mintToken` from `@callerid/mint`). */
export type MintFunction = (request: MintRequest) => Promise<MintResult>;

/** `@callerid/mint`'s `mintToken`. */
export const defaultMint: MintFunction = mintToken;
