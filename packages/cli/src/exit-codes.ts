/** The exit codes of every `callerid` command (documented in the README; tests pin each one). */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The token was rejected (`verify`), could not be minted (`token`), or failed a local check (`decode`). */
  failed: 1,
  /** A usage error: unknown command or option, missing or invalid value. */
  usage: 2,
  /** STS (or the credentials service) is unavailable: try again later. */
  unavailable: 3,
} as const;
