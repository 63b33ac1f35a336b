/**
 * Questions to a person. Loaded lazily (@inquirer/prompts is not needed by non-interactive runs) and always
 * written to stderr so that stdout stays clean. Tests pass their own Prompter.
 */
import { InterruptedError } from './errors.js';

export interface Choice<T extends string = string> {
  readonly value: T;
  readonly name?: string;
  readonly description?: string;
}

export interface Prompter {
  input(question: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
  select<T extends string>(question: { message: string; choices: readonly Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T extends string>(question: { message: string; choices: ReadonlyArray<Choice<T> & { checked?: boolean }> }): Promise<T[]>;
  /** A hidden answer (a secret's value): nothing is echoed, and the answer is never written back. */
  password?(question: { message: string }): Promise<string>;
}

export function terminalPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  // inquirer leaves a prompt's last frame on screen when it ends, and on Ctrl-C that frame still holds a list's
  // choices and its key hints ("↑↓ navigate • ⏎ select"). So every prompt clears itself when done, and an
  // answered one is written back as one summary line; an interrupted one leaves nothing behind.
  const context = { input, output, clearPromptOnDone: true } as never;
  const ask = async <T>(message: string, fn: () => Promise<T>, shown: (answer: T) => string): Promise<T> => {
    let answer: T;
    try {
      answer = await fn();
    } catch (e) {
      // Ctrl-C inside a prompt: inquirer throws ExitPromptError.
      if (e instanceof Error && e.name === 'ExitPromptError') throw new InterruptedError('interrupted; nothing was changed');
      throw e;
    }
    output.write(`✔ ${message} ${shown(answer)}\n`);
    return answer;
  };
  const label = (choices: readonly Choice[], value: string) => choices.find((c) => c.value === value)?.name ?? value;
  return {
    input: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).input(q, context), (a) => a),
    confirm: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).confirm(q, context), (a) => (a ? 'yes' : 'no')),
    select: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).select({ ...q, choices: [...q.choices] }, context), (a) => label(q.choices, a)),
    password: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).password({ message: q.message }, context), () => '(hidden)'),
    checkbox: (q) =>
      ask(q.message, async () => (await import('@inquirer/prompts')).checkbox({ ...q, choices: [...q.choices] }, context), (a) => a.map((v) => label(q.choices, v)).join(', ')),
  };
}
