/** The process edge: the one place that sets the exit code. */
import { readFileSync } from 'node:fs';
import { runCli } from './program.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  // A second Ctrl-C means "now": leave without waiting for the command to wind down.
  if (interrupts > 1) process.exit(130);
  controller.abort();
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  version,
});
process.exitCode = code;
