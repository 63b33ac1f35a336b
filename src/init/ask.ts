/**
 * One question, answered in a fixed order: its flag, else its default when nobody can or should be asked
 * (no terminal, or --yes), else a prompt. Flags and prompts share one parser, so both refuse the same input.
 */
import { UsageError } from '../cli/errors.js';
import type { Choice, Prompter } from '../cli/prompter.js';
import type { Parsed } from './validators.js';

export interface AnswerSource {
  /** A person can answer questions (a TTY, and no --no-interactive). */
  readonly interactive: boolean;
  /** --yes: take the default of every question that has one. */
  readonly yes: boolean;
  readonly prompter: Prompter;
  /** The global --region. */
  readonly region?: string;
  /** The target folder; its name is the default project name. */
  readonly dir: string;
}

export interface Question<T> {
  readonly flag: string;
  /** What the flag takes, for the "missing" message: `--account <12-digit id>`. */
  readonly usage: string;
  readonly message: string;
  readonly given: string | undefined;
  /** Undefined: there is no sensible default, a person or the flag must answer. */
  readonly fallback?: string;
  readonly choices?: readonly Choice[];
  readonly parse: (raw: string) => Parsed<T>;
}

export function valueOrThrow<T>(q: Pick<Question<T>, 'flag' | 'usage'>, parsed: Parsed<T>): T {
  if (parsed.ok) return parsed.value;
  throw new UsageError(`${q.flag}: ${parsed.error}`, { hint: `pass ${q.usage}` });
}

export async function answer<T>(q: Question<T>, source: AnswerSource): Promise<T> {
  if (q.given !== undefined) return valueOrThrow(q, q.parse(q.given.trim()));
  if (q.fallback !== undefined && (!source.interactive || source.yes)) return valueOrThrow(q, q.parse(q.fallback));
  if (!source.interactive) throw missing([q]);
  const raw = q.choices
    ? await source.prompter.select({ message: q.message, choices: q.choices, default: q.fallback })
    : await source.prompter.input({
        message: q.message,
        default: q.fallback,
        validate: (v) => {
          const parsed = q.parse(v.trim());
          return parsed.ok ? true : parsed.error;
        },
      });
  // The prompt validates already; checking again keeps a prompter that does not from slipping a bad value in.
  return valueOrThrow(q, q.parse(raw.trim()));
}

export function missing(questions: readonly Pick<Question<unknown>, 'flag' | 'usage'>[]): UsageError {
  const flags = questions.map((q) => q.flag).join(' and ');
  return new UsageError(`${flags} ${questions.length > 1 ? 'are' : 'is'} required: there is no terminal to ask (stdin is not a TTY, or --no-interactive was given)`, {
    hint: `pass ${questions.map((q) => q.usage).join(' ')}`,
  });
}
