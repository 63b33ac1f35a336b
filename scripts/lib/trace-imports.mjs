// Records every module the process loads, for the test and the benchmark that check what start-up loads.
// Use: node --import ./scripts/lib/trace-imports.mjs bin/tapctl.cjs ...   with TAPCTL_TRACE_IMPORTS=<file>
//
// ES modules are recorded as they resolve (a loader hook); CommonJS modules (aws-cdk-lib through createRequire,
// the AWS SDK, anything bundled code require()s) at exit, from the CommonJS module cache, as file: URLs.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.TAPCTL_TRACE_IMPORTS;
if (file) {
  register('./trace-imports-hook.mjs', { parentURL: import.meta.url, data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const required = Object.keys(cache).map((path) => pathToFileURL(path).href);
    if (required.length) appendFileSync(file, required.join('\n') + '\n');
  });
}
