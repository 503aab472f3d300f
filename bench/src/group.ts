/** What a group of measurements gets from the runner. */
import type { Profile } from './profile.js';
import type { RowInput } from './table.js';

export interface GroupContext {
  readonly profile: Profile;
  /** Adds one figure to the table (as soon as it is measured, so a later failure keeps it). */
  report(row: RowInput): void;
  /** A progress line on stderr (the table goes to stdout). */
  progress(message: string): void;
}

/** A group of measurements (one module each: `mint.ts`, `verify.ts`, …). */
export interface Group {
  run(ctx: GroupContext): Promise<void>;
}
