/**
 * The embedded CDK app: one resolved environment in, one stack out, of the class of the environment's preset
 * (ecommerce: TapStack; catalog-api, rds-postgres: ./presets). Synthesis is offline: the account,
 * region and availability zones come from the config, so nothing here needs credentials or calls AWS.
 *
 * Every aws-cdk-lib import under src/infra is `import x = require('aws-cdk-lib/...')` (tsc compiles it to a
 * createRequire call), never `import ... from`: Node's ESM-to-CommonJS bridge reads every export name of an ES
 * module import, which runs all of aws-cdk-lib's lazy getters and loads ~355 submodules where a stack needs ~25
 * (a third of a cold synth's CPU). test/infra/cdk-loading.test.ts keeps it so. `import type` loads nothing.
 */
import cdk = require('aws-cdk-lib');
import cxapi = require('aws-cdk-lib/cx-api');
import type { Stack } from 'aws-cdk-lib';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { Preset } from '../config/schema.js';
import { previewStackTags } from '../preview/tags.js';
import { FEATURE_FLAGS } from './feature-flags.js';
import { CatalogApiStack } from './presets/catalog-api-stack.js';
import { RdsPostgresStack } from './presets/rds-postgres-stack.js';
import { TapStack } from './tap-stack.js';
import { VALIDATION_CONTEXT } from './validation.js';

export interface BuildAppOptions {
  /**
   * Cloud assembly directory.
   *
   * @default - a temporary directory chosen by aws-cdk-lib
   */
  readonly outdir?: string;
  /**
   * aws-cdk-lib's builtin CloudFormation validation at synth. It costs ~4 s per synth (field-notes.md), so it
   * is not for every synth. Any finding makes `app.synth()` throw (nothing is printed); `validationFindings()`
   * reads them from the assembly folder as data.
   *
   * @default false
   */
  readonly validate?: boolean;
  /**
   * How deploy gets its permissions. `default` assumes the bootstrap roles (deploy, file publishing, CFN
   * execution); `cli-credentials` deploys with the caller's own credentials, for accounts whose bootstrap
   * roles do not trust the caller (failure-lessons.md #21, rule A4). Both need the bootstrap bucket: the
   * template exceeds CloudFormation's 51,200-byte inline limit.
   *
   * @default 'default'
   */
  readonly synthesizer?: 'default' | 'cli-credentials';
}

/** The context key aws-cdk-lib reads a region's availability zones from (instead of looking them up). */
export const availabilityZonesContextKey = (account: string, region: string): string =>
  `availability-zones:account=${account}:region=${region}`;

/**
 * The preset's stack class, so that callers can tell what they got back. `S` is the caller's claim about the
 * preset of `env` (ecommerce unless said otherwise); tests check it with `instanceof`.
 */
export interface BuiltApp<S extends Stack> {
  readonly app: cdk.App;
  readonly stack: S;
}

type StackFactory = (app: cdk.App, env: ResolvedEnvironment, synthesizer: cdk.IStackSynthesizer) => Stack;

/** One stack class per preset (presets.md), each composed from the constructs of ./constructs. */
const STACKS: Readonly<Record<Preset, StackFactory>> = {
  ecommerce: (app, env, synthesizer) => new TapStack(app, env.names.stack, { config: env, synthesizer }),
  'catalog-api': (app, env, synthesizer) => new CatalogApiStack(app, env.names.stack, { config: env, synthesizer }),
  'rds-postgres': (app, env, synthesizer) => new RdsPostgresStack(app, env.names.stack, { config: env, synthesizer }),
};

export function buildApp<S extends Stack = TapStack>(env: ResolvedEnvironment, options: BuildAppOptions = {}): BuiltApp<S> {
  const app = new cdk.App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    builtinCloudFormationValidation: options.validate ?? false,
    analyticsReporting: false,
    // Construct stack traces make synth slower and the assembly larger; tapctl never shows them.
    stackTraces: false,
    // tree.json (~5 % of a synth) is read by nothing tapctl runs: toolkit-lib 1.40.1 reads it only to warn about
    // aws-cdk-lib < 2.38 and to match notices to construct types, and carries on without it (lib/api/tree.js).
    treeMetadata: false,
    context: {
      // aws-cdk-lib (2.2xx on) captures and parses a stack trace for every L1 resource it creates (its
      // aws:cdk:creationStack metadata: ~7 ms of CPU per environment), read only by toolkit-lib's `diagnose`, which
      // tapctl does not use; the template is the same without it. stackTraces: false above does not cover it.
      [cxapi.DISABLE_CREATION_STACK_TRACES]: true,
      ...FEATURE_FLAGS,
      ...VALIDATION_CONTEXT,
      [availabilityZonesContextKey(env.account, env.region)]: [...env.network.availabilityZones],
    },
  });
  // The default synthesizer is the standard, least-privilege path (CloudFormation runs with the bootstrap
  // execution role, not with the caller's rights), and deploy checks the role trust first (rule A4). The spec's
  // CliCredentialsStackSynthesizer stays available as an option for accounts where that check fails.
  const synthesizer =
    options.synthesizer === 'cli-credentials' ? new cdk.CliCredentialsStackSynthesizer() : new cdk.DefaultStackSynthesizer();
  const build = STACKS[env.preset];
  if (!build) throw new Error(`environment '${env.name}' uses preset '${env.preset}', which this tapctl cannot build`);
  const stack = build(app, env, synthesizer);
  // A preview's record lives in its stack's tags alone (src/preview/tags.ts): on the stack, not on every resource.
  if (env.preview) for (const [key, value] of Object.entries(previewStackTags(env.project, env.preview))) stack.addStackTag(key, value);
  return { app, stack: stack as S };
}
