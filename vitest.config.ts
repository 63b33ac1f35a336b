import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

// One TMPDIR for the whole run (removed by test/global-setup.ts): CDK writes a cdk.out* folder per synthesized
// test stack, and spawned runs inherit it through cleanEnv().
const testTmp = (process.env.TAPCTL_TEST_TMPDIR ??= mkdtempSync(join(tmpdir(), 'tapctl-vitest-')));

const E2E_AWS = 'test/e2e-aws/**/*.test.ts';

// Each project lists its global setups (none at the root): vitest tears the root's down first, and the
// emulator must stop before test/global-setup.ts removes the folder that holds its state.
const REMOVE_TMPDIR = 'test/global-setup.ts';

export default defineConfig({
  test: {
    // CDK synthesis and spawned e2e binaries are CPU-heavy; two cores run two files at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      TMPDIR: testTmp,
      // tapctl's cache key (src/state/cache-key.ts) is made in the run's folder, never in the developer's home.
      XDG_CONFIG_HOME: join(testTmp, 'config'),
      // In-process runs do not pass through src/cli/main.ts, which silences the SDK's Node 22 notice.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      { extends: true, test: { name: 'tapctl', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, E2E_AWS], globalSetup: [REMOVE_TMPDIR] } },
      {
        extends: true,
        test: {
          // Every command end to end against one shared emulator: one worker, one file at a time (vitest runs
          // such a group after the parallel ones), on ports its global setup chose free.
          name: 'e2e-aws',
          include: [E2E_AWS],
          fileParallelism: false,
          globalSetup: [REMOVE_TMPDIR, 'test/e2e-aws/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
