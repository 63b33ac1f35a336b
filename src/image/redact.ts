/**
 * Secret values (build secrets, the registry password) replaced by *** in everything a builder prints before
 * tapctl shows or keeps it. The values never reach argv in the first place; this guards against a build step
 * that echoes one.
 */
import type { Spawn } from './exec.js';

export class Redactor {
  private readonly values = new Set<string>();

  constructor(values: Iterable<string | undefined> = []) {
    for (const v of values) this.add(v);
  }

  add(value: string | undefined): void {
    // Very short values would blank out ordinary words; nothing that short is a real secret.
    if (value && value.length >= 4) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('***');
    return out;
  }

  /** A spawn whose line callbacks and failure tails are redacted. */
  wrap(spawn: Spawn): Spawn {
    return async (request) => {
      const onLine = request.onLine;
      const result = await spawn({ ...request, ...(onLine ? { onLine: (line, stream) => onLine(this.redact(line), stream) } : {}) });
      return { ...result, stdout: this.redact(result.stdout), tail: result.tail.map((l) => this.redact(l)) };
    };
  }
}
