/** One step of `callerid doctor`: what it found, the evidence, and what to try next. */
export interface Check {
  /** Stable step name: credentials, region, identity, mapping, token, clock, api-server. */
  name: string;
  /** `skip`: an earlier step failed, so this one could not run. */
  status: 'pass' | 'fail' | 'warn' | 'skip';
  summary: string;
  /** Non-secret facts behind the verdict (ARNs, key ids, hosts, times, HTTP statuses). */
  evidence?: Record<string, unknown>;
  /** What to try next, most likely first. */
  next?: string[];
}

export const pass = (name: string, summary: string, evidence?: Record<string, unknown>, next?: string[]): Check => ({ name, status: 'pass', summary, ...(evidence ? { evidence } : {}), ...(next ? { next } : {}) });
export const fail = (name: string, summary: string, next: string[], evidence?: Record<string, unknown>): Check => ({ name, status: 'fail', summary, ...(evidence ? { evidence } : {}), next });
export const warn = (name: string, summary: string, next: string[], evidence?: Record<string, unknown>): Check => ({ name, status: 'warn', summary, ...(evidence ? { evidence } : {}), next });
export const skip = (name: string, why: string): Check => ({ name, status: 'skip', summary: why });

/** The first line of an error's message, capped (SDK messages name files and profiles, never secrets). */
export function reasonOf(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const source = cause instanceof Error && cause.message ? cause : err;
  const line = (source instanceof Error ? source.message : String(source)).split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
