/**
 * A Prompter that answers from a script and records what was asked, behaving like @inquirer/prompts where it
 * matters: Enter (`undefined`) takes the default, and an answer its `validate` rejects is asked again.
 */
import type { Choice, Prompter } from '../../src/cli/prompter.js';

export interface AskedQuestion {
  readonly kind: 'input' | 'select' | 'confirm' | 'checkbox';
  readonly message: string;
  readonly default?: unknown;
  readonly choices?: readonly string[];
  /** Messages `validate` gave for answers it refused before one was accepted. */
  readonly rejected: string[];
}

export type ScriptedPrompter = Prompter & { readonly asked: AskedQuestion[] };

/** `undefined` in the script means "press Enter". */
export function scriptedPrompter(script: ReadonlyArray<string | undefined>, options: { ignoreValidate?: boolean } = {}): ScriptedPrompter {
  const queue = [...script];
  const asked: AskedQuestion[] = [];
  const next = (message: string): string | undefined => {
    if (queue.length === 0) throw new Error(`the script has no answer left for: ${message}`);
    return queue.shift();
  };
  return {
    asked,
    async input(q) {
      const record: AskedQuestion = { kind: 'input', message: q.message, default: q.default, rejected: [] };
      asked.push(record);
      for (;;) {
        const value = next(q.message) ?? q.default ?? '';
        const verdict = options.ignoreValidate || !q.validate ? true : q.validate(value);
        if (verdict === true) return value;
        record.rejected.push(verdict);
      }
    },
    async confirm(q) {
      asked.push({ kind: 'confirm', message: q.message, default: q.default, rejected: [] });
      const value = next(q.message);
      return value === undefined ? (q.default ?? false) : /^y(es)?$/i.test(value);
    },
    async select<T extends string>(q: { message: string; choices: readonly Choice<T>[]; default?: T }) {
      const values = q.choices.map((c) => c.value);
      asked.push({ kind: 'select', message: q.message, default: q.default, choices: values, rejected: [] });
      const value = next(q.message) ?? q.default ?? values[0];
      // A select offers only its choices: a script that picks anything else is a broken test.
      if (!values.includes(value as T)) throw new Error(`'${value}' is not a choice of: ${q.message}`);
      return value as T;
    },
    async checkbox<T extends string>(q: { message: string; choices: ReadonlyArray<Choice<T> & { checked?: boolean }> }) {
      asked.push({ kind: 'checkbox', message: q.message, choices: q.choices.map((c) => c.value), rejected: [] });
      const value = next(q.message);
      return (value === undefined ? q.choices.filter((c) => c.checked).map((c) => c.value) : value.split(',')) as T[];
    },
  };
}

/** A prompter for runs that must never ask: any question fails the test. */
export const silentPrompter: Prompter = {
  input: async (q) => Promise.reject(new Error(`unexpected question: ${q.message}`)),
  confirm: async (q) => Promise.reject(new Error(`unexpected question: ${q.message}`)),
  select: async (q) => Promise.reject(new Error(`unexpected question: ${q.message}`)),
  checkbox: async (q) => Promise.reject(new Error(`unexpected question: ${q.message}`)),
};
