/** Prints the demo's steps: `✔ 1. title` or `✘ 1. title`, then indented details. */

/** What a step records while it runs. */
export interface StepContext {
  /** A detail line printed under the step. */
  note(line: string): void;
  /** An expectation; a false one fails the step and is printed as `expected …`. */
  expect(holds: boolean, expectation: string): void;
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
export const green = (text: string) => paint(32, text);
export const red = (text: string) => paint(31, text);
export const dim = (text: string) => paint(2, text);

/** Runs numbered steps, printing each as it ends; `failures` counts the steps that did not behave. */
export class Report {
  private count = 0;
  failures = 0;

  async step(title: string, run: (t: StepContext) => Promise<void>): Promise<void> {
    const n = ++this.count;
    const notes: string[] = [];
    const unmet: string[] = [];
    try {
      await run({ note: (line) => notes.push(line), expect: (holds, expectation) => void (holds || unmet.push(expectation)) });
    } catch (err) {
      unmet.push(`no error, got: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    if (unmet.length > 0) this.failures++;
    console.log(`${unmet.length === 0 ? green('✔') : red('✘')} ${n}. ${title}`);
    for (const line of notes) console.log(`     ${line}`);
    for (const line of unmet) console.log(red(`     expected ${line}`));
  }

  get steps(): number {
    return this.count;
  }
}
