// Records every module URL the process loads, for the test and the benchmark that check what start-up loads.
// Use: node --import ./scripts/lib/trace-imports.mjs bin/tapctl.js ...   with TAPCTL_TRACE_IMPORTS=<file>
import { register } from 'node:module';

if (process.env.TAPCTL_TRACE_IMPORTS) {
  register('./trace-imports-hook.mjs', { parentURL: import.meta.url, data: { file: process.env.TAPCTL_TRACE_IMPORTS } });
}
