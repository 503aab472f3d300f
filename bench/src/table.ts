/**
 * The one table `pnpm bench` prints (group, metric, value, baseline, ratio, target, pass/fail) and the
 * results JSON it writes next to it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';

export type Comparison = '>=' | '<=' | '==';

/** A target on the figure itself (`value`) or on its ratio to the baseline (`ratio`). */
export interface Target {
  readonly on: 'value' | 'ratio';
  readonly op: Comparison;
  readonly threshold: number;
}

export interface Baseline {
  /** What the baseline is, e.g. `node -e 0` or `bare fetch`. */
  readonly name: string;
  /** In the row's unit, measured in the same run. */
  readonly value: number;
}

/** One measured figure. */
export interface Row {
  readonly group: string;
  readonly metric: string;
  /** `null` when the measurement was skipped or failed (see `note`). */
  readonly value: number | null;
  readonly unit: string;
  readonly baseline?: Baseline | undefined;
  /** `value ÷ baseline.value`. */
  readonly ratio?: number | undefined;
  readonly target?: Target | undefined;
  /** `null` when there is no target or no figure. */
  readonly pass: boolean | null;
  /**
   * A correctness invariant rather than a speed target (e.g. "one STS call"): failing it fails the run,
   * even in a smoke run.
   */
  readonly invariant?: boolean | undefined;
  /** Spread (tinybench's relative margin of error), sample counts, or why the figure is missing. */
  readonly note?: string | undefined;
}

export interface RowInput {
  metric: string;
  value: number | null;
  unit: string;
  baseline?: Baseline;
  target?: Target;
  invariant?: boolean;
  note?: string;
}

/** Builds a row of `group`, computing the ratio and the verdict. */
export function row(group: string, input: RowInput): Row {
  const { value, baseline, target } = input;
  const ratio = value !== null && baseline && baseline.value > 0 ? value / baseline.value : undefined;
  const subject = target?.on === 'ratio' ? ratio : (value ?? undefined);
  const pass = target && subject !== undefined && Number.isFinite(subject) ? compare(subject, target) : null;
  return { group, ...input, ratio, pass };
}

function compare(x: number, { op, threshold }: Target): boolean {
  if (op === '>=') return x >= threshold;
  if (op === '<=') return x <= threshold;
  return x === threshold;
}

const OPS = { '>=': '≥', '<=': '≤', '==': '=' } as const;

/** A figure in its unit, rounded for reading. */
export function formatValue(value: number, unit: string): string {
  const digits = unit === 'µs' || unit === 'MB' ? 2 : unit === 'ms' ? (value < 10 ? 2 : 1) : 0;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${text} ${unit}`;
}

function formatTarget(target: Target, unit: string): string {
  const sign = OPS[target.op];
  return target.on === 'ratio' ? `ratio ${sign} ${target.threshold}` : `${sign} ${formatValue(target.threshold, unit)}`;
}

function cells(r: Row): string[] {
  return [
    r.group,
    r.metric,
    r.value === null ? '–' : formatValue(r.value, r.unit),
    r.baseline ? `${r.baseline.name}: ${formatValue(r.baseline.value, r.unit)}` : '',
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.target ? formatTarget(r.target, r.unit) : '',
    r.pass === null ? (r.value === null ? 'skipped' : '') : r.pass ? 'pass' : 'FAIL',
    r.note ?? '',
  ];
}

const HEADER = ['group', 'metric', 'value', 'baseline', 'ratio', 'target', 'result', 'note'];
const RIGHT = new Set([2, 4]);

/** The table as Markdown-compatible text (aligned pipes), so it reads in a terminal and pastes into a README. */
export function renderTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((text, i) => (RIGHT.has(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (RIGHT.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(HEADER), rule, ...body.map(line)].join('\n');
}

/** What `bench/results/*.json` holds. */
export interface Results {
  date: string;
  profile: string;
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  /** 1, 5 and 15 minute load averages when the run ended: a busy machine makes every figure worse. */
  loadAverage: number[];
  elapsedSeconds: number;
  rows: Row[];
}

export function results(rows: readonly Row[], profile: string, startedAt: Date): Results {
  const cpuList = cpus();
  return {
    date: startedAt.toISOString(),
    profile,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    elapsedSeconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    rows: [...rows],
  };
}

export function writeResults(path: string, data: Results): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
