/**
 * How build and push output reaches the person: on a terminal, one live line showing the latest log line; in
 * CI (no TTY), every line as plain text so the job log has it all. With --json, only --verbose shows lines.
 */
import type { IoHost } from '../cli/io-host.js';

export interface LogSink {
  readonly onLine: (line: string) => void;
  /** Lines seen, for the summary. */
  readonly count: () => number;
}

export function logSink(io: IoHost, label: string): LogSink {
  let lines = 0;
  return {
    onLine: (line) => {
      const text = line.trimEnd();
      if (!text) return;
      lines += 1;
      if (io.live) io.progress(`${label}: ${text.trim()}`);
      else if (!io.json || io.verbose) io.line(`  ${io.style.dim('│')} ${text}`);
    },
    count: () => lines,
  };
}
