/** Snippets of packages/cli/README.md that tests execute, so the documentation cannot drift. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_DIR } from './cli.js';

export const README = readFileSync(join(CLI_DIR, 'README.md'), 'utf8');

/** The first fenced block of `lang` after the heading `heading`. */
export function snippetAfter(heading: string, lang: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no heading ${heading}`);
  const open = README.indexOf(`\n\`\`\`${lang}\n`, start);
  if (open === -1) throw new Error(`README has no ${lang} block after ${heading}`);
  const body = open + lang.length + 5;
  return README.slice(body, README.indexOf('\n```', body) + 1);
}

/** The text of the section under `heading`, up to the next heading of the same level. */
export function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no heading ${heading}`);
  const next = README.indexOf('\n## ', start + heading.length + 2);
  return README.slice(start, next === -1 ? README.length : next);
}
