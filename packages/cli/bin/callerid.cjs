#!/usr/bin/env node
'use strict';
// The workspace's `callerid` command: a link to the built CLI that exists before the build, so that
// `pnpm install` of a fresh clone can create the bin links of the packages depending on this one.
// Published, `bin` points at dist/callerid.cjs directly (`publishConfig.bin`, applied by `pnpm pack`
// and `pnpm publish`), so kubectl's start-up pays no extra file.
try {
  require.resolve('../dist/callerid.cjs');
} catch {
  process.stderr.write('callerid: the CLI is not built yet; run `pnpm build` in the repository first\n');
  process.exit(1);
}
require('../dist/callerid.cjs');
