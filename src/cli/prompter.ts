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

export interface PrompterOptions {
  /**
   * The IoHost's colour decision (--no-color, NO_COLOR, TERM=dumb, a TTY). inquirer decides about colour by
   * itself from the environment, so without colour every prompt gets a theme whose styles are plain text.
   */
  readonly colour: boolean;
}

const plain = (text: string) => text;

/** inquirer's themes (core, select, checkbox) with every style as plain text and uncoloured marks. */
const PLAIN_THEME = {
  prefix: { idle: '?', done: '✔' },
  spinner: { interval: 80, frames: ['-', '\\', '|', '/'] },
  style: {
    answer: plain,
    message: plain,
    error: (text: string) => `> ${text}`,
    defaultAnswer: (text: string) => `(${text})`,
    help: plain,
    highlight: plain,
    key: (text: string) => `<${text}>`,
    disabled: (text: string) => `- ${text}`,
    disabledChoice: (text: string) => `- ${text}`,
    description: plain,
    renderSelectedChoices: (choices: ReadonlyArray<{ name?: string; value: unknown }>) => choices.map((c) => c.name ?? String(c.value)).join(', '),
    keysHelpTip: (keys: ReadonlyArray<[string, string]>) => keys.map(([key, action]) => `${key} ${action}`).join(' • '),
  },
  icon: { checked: '(x)', unchecked: '( )', cursor: '>' },
};

export function terminalPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, options: PrompterOptions = { colour: true }): Prompter {
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
  const theme = options.colour ? {} : { theme: PLAIN_THEME as never };
  return {
    input: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).input({ ...q, ...theme }, context), (a) => a),
    confirm: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).confirm({ ...q, ...theme }, context), (a) => (a ? 'yes' : 'no')),
    select: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).select({ ...q, ...theme, choices: [...q.choices] }, context), (a) => label(q.choices, a)),
    password: (q) => ask(q.message, async () => (await import('@inquirer/prompts')).password({ message: q.message, ...theme }, context), () => '(hidden)'),
    checkbox: (q) =>
      ask(q.message, async () => (await import('@inquirer/prompts')).checkbox({ ...q, ...theme, choices: [...q.choices] }, context), (a) => a.map((v) => label(q.choices, v)).join(', ')),
  };
}
