#!/usr/bin/env node
/**
 * API reports: one `etc/<name>.api.md` per public entry point of each published package, written by
 * API Extractor from the built declarations (`dist/*.d.ts`), so that the public surface changes only
 * on purpose and the change shows up in review.
 *
 *   node scripts/api-report.mjs --update [package dir…]   rewrite the reports (default: every package)
 *   node scripts/api-report.mjs --check  [package dir…]   fail when a report differs from the build
 *
 * The entry points are read from each package's `exports` (every subpath with types; `./package.json`
 * and private packages are skipped): `.` is `etc/<unscoped name>.api.md`, `./undici` is
 * `etc/<unscoped name>-undici.api.md`. A report whose entry point is gone is deleted by `--update` and
 * is an error for `--check`. Run after `pnpm build` (`pnpm api:update` does both).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_SUFFIX = '.api.md';
const QUIET_MESSAGES = new Set([
  'console-preamble',
  'console-compiler-version-notice',
  'console-writing-api-report',
  'console-api-report-not-copied',
  'console-api-report-copied',
  'console-api-report-unchanged',
  'console-api-report-created',
]);

const args = process.argv.slice(2);
const mode = args.includes('--update') ? 'update' : args.includes('--check') ? 'check' : undefined;
if (!mode) {
  console.error('usage: api-report.mjs --update|--check [package dir…]');
  process.exit(2);
}
const dirs = args.filter((arg) => !arg.startsWith('--')).map((dir) => resolve(dir));
const packages = dirs.length > 0 ? dirs : readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name));

let failed = false;
for (const dir of packages) {
  if (!reportPackage(dir)) failed = true;
}
process.exit(failed ? 1 : 0);

/** Writes or checks every report of the package in `dir`; `false` when something is wrong. */
function reportPackage(dir) {
  const pkgPath = join(dir, 'package.json');
  if (!existsSync(pkgPath)) return true;
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  if (pkg.private) return true;
  const entries = entryPoints(pkg);
  const etc = join(dir, 'etc');
  const expected = new Set(entries.map((entry) => `${entry.report}${REPORT_SUFFIX}`));
  let ok = true;
  for (const entry of entries) {
    if (!reportEntry(dir, etc, entry)) ok = false;
  }
  for (const file of existsSync(etc) ? readdirSync(etc) : []) {
    if (!file.endsWith(REPORT_SUFFIX) || expected.has(file)) continue;
    if (mode === 'update') {
      rmSync(join(etc, file));
      console.log(`${pkg.name}: removed ${relative(root, join(etc, file))} (no such entry point)`);
    } else {
      console.error(`${pkg.name}: ${relative(root, join(etc, file))} reports an entry point the package no longer has; run \`pnpm api:update\``);
      ok = false;
    }
  }
  return ok;
}

/** `{ subpath, types, report }` for each subpath export with declarations. */
function entryPoints(pkg) {
  const unscoped = pkg.name.replace(/^@[^/]+\//, '');
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const types = typesOf(target);
    if (!types) continue;
    const suffix = subpath === '.' ? '' : `-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`;
    entries.push({ subpath, types, report: `${unscoped}${suffix}` });
  }
  return entries;
}

// The ESM declarations of an export target (the CJS ones are the same declarations).
function typesOf(target) {
  if (typeof target !== 'object' || target === null) return undefined;
  if (typeof target.import === 'object' && typeof target.import?.types === 'string') return target.import.types;
  if (typeof target.types === 'string') return target.types;
  return undefined;
}

/** Runs API Extractor on one entry point; `false` when it fails or (with `--check`) the report differs. */
function reportEntry(dir, etc, { subpath, types, report }) {
  const pkgJsonPath = join(dir, 'package.json');
  const name = JSON.parse(readFileSync(pkgJsonPath, 'utf8')).name;
  const label = `${name}${subpath === '.' ? '' : subpath.slice(1)}`;
  const entry = join(dir, types);
  if (!existsSync(entry)) {
    console.error(`${label}: ${relative(root, entry)} is missing; build first (\`pnpm build\`, or \`pnpm api:update\`)`);
    return false;
  }
  const temp = join(dir, 'node_modules', '.api-report');
  mkdirSync(etc, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: dir,
      mainEntryPointFilePath: entry,
      bundledPackages: [],
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            types: ['node'],
            strict: true,
            skipLibCheck: true,
          },
          files: [entry],
        },
      },
      apiReport: { enabled: true, reportFileName: report, reportFolder: etc, reportTempFolder: temp },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          // Release tags (@public, @beta) are not used here: every export of an entry point is public.
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
          // Left in the report, where a reviewer sees it: a type that the API uses but does not export.
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          // Every export has TSDoc (eslint and review see to that); members need not, and a link from the
          // internal entry to the main one cannot resolve.
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
          'ae-unresolved-link': { logLevel: 'none', addToApiReportFile: false },
          default: { logLevel: 'warning', addToApiReportFile: false },
        },
        // TSDoc style is eslint's business, not the report's.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: pkgJsonPath,
  });
  const result = Extractor.invoke(config, {
    localBuild: mode === 'update',
    showVerboseMessages: false,
    messageCallback: (message) => {
      // Progress chatter; a changed report is reported below, once, with what to do.
      if (QUIET_MESSAGES.has(message.messageId)) message.handled = true;
    },
  });
  const file = relative(root, join(etc, `${report}${REPORT_SUFFIX}`));
  if (result.errorCount > 0) {
    console.error(`${label}: API Extractor reported ${result.errorCount} error(s)`);
    return false;
  }
  if (result.apiReportChanged) {
    if (mode === 'update') {
      console.log(`${label}: updated ${file}`);
      return true;
    }
    console.error(`${label}: the public API differs from ${file}; if the change is intended, run \`pnpm api:update\` and commit the report`);
    // The difference itself, where `diff` exists (CI logs show what changed).
    spawnSync('diff', ['-u', join(etc, `${report}${REPORT_SUFFIX}`), join(temp, `${report}${REPORT_SUFFIX}`)], { stdio: 'inherit' });
    return false;
  }
  return true;
}
