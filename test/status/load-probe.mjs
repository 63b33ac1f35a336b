// Preloaded with `node --import` by e2e.test.ts: at exit, writes every file the CommonJS loader holds to
// $TAPCTL_LOAD_LOG. aws-cdk-lib, toolkit-lib and the AWS SDK clients are CommonJS packages, so they land in this
// cache whether they were reached by require() or by an ESM import() (the test checks that the SDK clients status
// does load are seen, so the probe is known to work).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const cache = createRequire(import.meta.url).cache;
process.on('exit', () => writeFileSync(process.env.TAPCTL_LOAD_LOG, JSON.stringify(Object.keys(cache))));
