/**
 * Where a secret's value comes from: standard input (`printf %s "$VALUE" | tapctl secrets set ...`), or a hidden
 * prompt at a terminal. Never from argv, where every process on the machine (ps) and the shell's history see it.
 */
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { withThousands } from '../cli/plain-text.js';

/** Secrets Manager's largest SecretString (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html). */
export const MAX_SECRET_BYTES = 65_536;

/** The form to show whenever a value came the wrong way. */
export const rightForm = (envName: string, name: string) => `printf %s "$VALUE" | tapctl secrets set --env ${envName} ${name}`;

/** True when the value will come from standard input rather than a prompt. */
export function valueFromStdin(ctx: CommandContext): boolean {
  return !ctx.stdin.isTTY;
}

/**
 * The value from standard input (one trailing newline dropped: what `echo` adds; a leading byte-order mark
 * dropped: what a Windows editor adds) or, at a terminal, from a
 * hidden prompt. @throws UsageError for an empty value, one over 64 KiB, or no way to get one.
 */
export async function readSecretValue(ctx: CommandContext, envName: string, name: string): Promise<string> {
  let value: string;
  if (valueFromStdin(ctx)) {
    value = await readAll(ctx.stdin, envName, name);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    else if (value.endsWith('\n')) value = value.slice(0, -1);
    // A file saved by a Windows editor starts with a UTF-8 byte-order mark, which is no part of the value: kept, it
    // would be the first character of a key the app then cannot use.
    if (value.startsWith('\uFEFF')) {
      value = value.slice(1);
      ctx.io.info(`dropped the byte-order mark (U+FEFF) at the start of standard input: it is not part of the value of ${name}`);
    }
  } else if (ctx.interactive && ctx.prompter.password) {
    value = await ctx.prompter.password({ message: `Value of ${name} (hidden):` });
  } else {
    throw new UsageError(`no value for ${name}: standard input is a terminal, and prompts are off (--no-interactive)`, { hint: rightForm(envName, name) });
  }
  if (value.length === 0) throw new UsageError(`the value of ${name} is empty`, { hint: `pipe the value in: ${rightForm(envName, name)}` });
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
    throw new UsageError(`the value of ${name} is over ${withThousands(MAX_SECRET_BYTES)} bytes, more than Secrets Manager stores`, { hint: 'store a reference (a bucket key) instead of the content' });
  }
  return value;
}

async function readAll(stream: NodeJS.ReadableStream, envName: string, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    // Read no more than is needed to know it is too big.
    if (size > MAX_SECRET_BYTES + 2) {
      throw new UsageError(`the value of ${name} on standard input is over ${withThousands(MAX_SECRET_BYTES)} bytes, more than Secrets Manager stores`, { hint: rightForm(envName, name) });
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks);
  const value = text.toString('utf8');
  if (value.includes('\uFFFD') && !Buffer.from(value, 'utf8').equals(text)) throw new UsageError(`the value of ${name} on standard input is not UTF-8 text`, { hint: 'Secrets Manager stores text; encode binary content (base64) first' });
  return value;
}
