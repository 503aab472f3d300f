#!/usr/bin/env node
/**
 * Lists the functions (declarations, methods, accessors, constructors, arrow and function expressions)
 * longer than a limit in the TypeScript sources below the given folders (or in the given files), longest first, with the
 * comment that states why when one stands on the line above (`// long-function: <why>`). House rule: nothing in packages/<name>/src
 * over about 60 lines without a stated reason beside it.
 *
 *   node scripts/long-functions.mjs [--max 60] packages/core/src [more folders…]
 *
 * Exits 1 when a function over the limit has no `long-function:` comment on the line above it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
let max = 60;
const maxAt = args.indexOf('--max');
if (maxAt !== -1) max = Number(args.splice(maxAt, 2)[1]);
const roots = args.length > 0 ? args : ['packages/core/src'];

function* sourceFiles(dir) {
  if (!statSync(dir).isDirectory()) {
    yield dir;
    return;
  }
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(c|m)?ts$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const FUNCTION_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor,
]);

function nameOf(node) {
  if (node.name) return node.name.getText();
  if (node.kind === ts.SyntaxKind.Constructor) return 'constructor';
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent))) return parent.name.getText();
  return '(anonymous)';
}

const found = [];
for (const root of roots) {
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const lines = text.split('\n');
    const visit = (node) => {
      if (FUNCTION_KINDS.has(node.kind) && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const length = end - start + 1;
        if (length > max) {
          const reason = /long-function:\s*(.*)$/.exec(lines[start - 1] ?? '')?.[1];
          found.push({ where: `${relative(process.cwd(), file)}:${start + 1}`, name: nameOf(node), length, reason });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

found.sort((a, b) => b.length - a.length);
for (const f of found) console.log(`${String(f.length).padStart(4)} lines  ${f.where}  ${f.name}${f.reason ? `  (${f.reason})` : '  — no stated reason'}`);
if (found.length === 0) console.log(`no function over ${max} lines in ${roots.join(', ')}`);
process.exitCode = found.some((f) => !f.reason) ? 1 : 0;
