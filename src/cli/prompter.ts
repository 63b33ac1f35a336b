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
}

export function terminalPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const context = { input, output } as never;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      // Ctrl-C inside a prompt: inquirer throws ExitPromptError.
      if (e instanceof Error && e.name === 'ExitPromptError') throw new InterruptedError('interrupted; nothing was changed');
      throw e;
    }
  };
  return {
    input: (q) => guard(async () => (await import('@inquirer/prompts')).input(q, context)),
    confirm: (q) => guard(async () => (await import('@inquirer/prompts')).confirm(q, context)),
    select: (q) => guard(async () => (await import('@inquirer/prompts')).select({ ...q, choices: [...q.choices] }, context)),
    checkbox: (q) => guard(async () => (await import('@inquirer/prompts')).checkbox({ ...q, choices: [...q.choices] }, context)),
  };
}
