/**
 * Echoing a user's value in a message. A value can be anything a person or a file gave: 100 KB pasted into
 * --env, a 10 MB string in the config, escape sequences that would repaint the terminal. Every message that
 * shows one goes through `quote`: control characters escaped, at most 80 characters shown, and the length
 * said when it was cut, so the message stays one readable line and still says which value it means.
 */
import { withThousands } from './plain-text.js';

/** How much of a value a message shows. */
export const QUOTE_LIMIT = 80;

/** `'value'`, or `'first 80 characters…' (102,400 characters)`. */
export function quote(value: unknown, limit = QUOTE_LIMIT): string {
  const text = typeof value === 'string' ? value : String(value);
  const safe = escapeControl(text);
  if (safe.length <= limit) return `'${safe}'`;
  return `'${safe.slice(0, limit)}…' (${withThousands(text.length)} characters)`;
}

/**
 * Control characters (ANSI escapes, NUL, newlines) as visible escapes: a message is one plain line. Also the
 * Unicode bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which make text display
 * in another order than it is (a log line or a name that reads as something else: CVE-2021-42574, "Trojan
 * Source"), and the line and paragraph separators U+2028 and U+2029, which some terminals break lines at.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (c) =>
    c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The net under every message: any quoted span ('...') longer than the limit, as a value echoed by code that
 * did not call `quote`, is cut the same way. Applied where errors and config issues become text.
 */
export function boundQuotedValues(message: string, limit = QUOTE_LIMIT): string {
  if (message.length <= limit) return message;
  // A span quote() already cut ends with '…' and is left alone. An opening quote follows the start, a space or
  // an opening bracket and is not followed by a space: the text between two quoted values ("'a' and 'b'") is
  // no value.
  return message.replace(new RegExp(`(?<=^|[\\s(\\[=:,])'([^'\\s][^'\\n]{${limit},})'`, 'g'), (span, inner: string) => (inner.endsWith('…') ? span : quote(inner, limit)));
}
