import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One TMPDIR for the whole run (removed by test/global-setup.ts): CDK writes a cdk.out* folder per synthesized
// test stack, and spawned runs inherit it through cleanEnv().
const testTmp = (process.env.TAPCTL_TEST_TMPDIR ??= mkdtempSync(join(tmpdir(), 'tapctl-vitest-')));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // CDK synthesis and spawned e2e binaries are CPU-heavy; two cores run two files at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      TMPDIR: testTmp,
      // In-process runs do not pass through src/cli/main.ts, which silences the SDK's Node 22 notice.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
