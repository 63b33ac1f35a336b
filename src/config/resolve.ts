/**
 * Resolution: the file's defaults, then the environment's overrides, then the schema's defaults, then the
 * defaults that depend on the kind of environment. The result is frozen: nothing downstream may change it.
 */
import { deepFreeze } from './freeze.js';
import { DEFAULT_ENGINE_VERSION } from './engine-versions.js';
import { deepMerge, kindFromName } from './identity.js';
import { physicalNames, sanitizeSuffix, type PhysicalNames } from './naming.js';
import { defaultAvailabilityZones } from './regions.js';
import { PRESET_DEFAULTS } from './presets/defaults.js';
import type { PreviewRecord } from '../preview/record.js';
import {
  SettingsSchema,
  type ConfigFile,
  type EnvironmentKind,
  type Preset,
  type Settings,
} from './schema.js';

export interface ResolvedProtection {
  readonly deletionProtection: boolean;
  readonly retainData: boolean;
  readonly terminationProtection: boolean;
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * What a deploy asks of AWS for synthesis, like the image (never read from the config file, never cached in
 * .tapctl/ as config): absent in a template synthesized without AWS.
 */
export interface DeployInputs {
  /** Each container.secrets name's full secret ARN, as Secrets Manager describes it (DescribeSecret). */
  readonly secretArns: Readonly<Record<string, string>>;
  /** The service's ForceNewDeployment nonce (src/secrets/stale-tasks.ts). */
  readonly rolloutNonce?: string;
  /**
   * The live weights of the production listener rule ECS shifts during blue-green, canary and linear deployments
   * (deploy/traffic-checks.ts): the template carries them so that CloudFormation never moves traffic back.
   */
  readonly trafficWeights?: { readonly primary: number; readonly alternate: number };
}

/** One environment, fully resolved: what buildApp, the rules and every command consume. */
export type ResolvedEnvironment = DeepReadonly<
  Omit<Settings, 'protection' | 'database' | 'network'> & {
    project: string;
    preset: Preset;
    /** The key under `environments:`. */
    name: string;
    kind: EnvironmentKind;
    /** Sanitized suffix used in every physical name. */
    suffix: string;
    account: string;
    region: string;
    endpoint?: string;
    /** The registry an emulated environment pushes to instead of ECR's host (only with `endpoint`). */
    registryEndpoint?: string;
    profile?: string;
    /** Set by a deploy (src/secrets/deploy-inputs.ts), never by resolution. */
    deployInputs?: DeployInputs;
    network: Settings['network'] & { availabilityZones: string[] };
    database: Settings['database'] & { version: string };
    protection: ResolvedProtection;
    names: PhysicalNames;
    /** Set only on a preview environment (src/preview/derive.ts): its record, written as its stack's tags. */
    preview?: PreviewRecord;
  }
>;

// Shared with the zod-free identity check of the config cache (identity.ts), so both derive the same values.
export { deepMerge, kindFromName } from './identity.js';

const ENV_ONLY_KEYS = ['account', 'region', 'kind', 'suffix', 'endpoint', 'registryEndpoint', 'profile'] as const;

/**
 * Resolves one environment of an already schema-valid file. `raw` is the file as parsed from YAML (before
 * schema defaults), so that an environment's override and the shared defaults merge before defaults fill in.
 */
export function resolveEnvironment(file: ConfigFile, raw: Record<string, unknown>, envName: string): ResolvedEnvironment {
  const env = file.environments[envName];
  if (!env) throw new Error(`unknown environment '${envName}'`);
  const rawEnv = { ...((raw.environments as Record<string, Record<string, unknown>>)[envName] ?? {}) };
  for (const k of ENV_ONLY_KEYS) delete rawEnv[k];
  // The preset's own defaults (presets/defaults.ts) sit under the file's: the config always wins.
  const merged = deepMerge(deepMerge(PRESET_DEFAULTS[file.preset], raw.defaults ?? {}), rawEnv);
  const settings = SettingsSchema.parse(merged);

  const kind = env.kind ?? kindFromName(envName);
  const suffix = sanitizeSuffix(env.suffix ?? envName);
  const production = kind === 'production';
  const azs = settings.network.availabilityZones ?? defaultAvailabilityZones(env.region, settings.network.maxAzs);

  const resolved = {
    ...settings,
    project: file.project,
    preset: file.preset,
    name: envName,
    kind,
    suffix,
    account: env.account,
    region: env.region,
    ...(env.endpoint ? { endpoint: env.endpoint } : {}),
    ...(env.registryEndpoint ? { registryEndpoint: env.registryEndpoint } : {}),
    ...(env.profile ? { profile: env.profile } : {}),
    network: { ...settings.network, availabilityZones: azs },
    database: {
      ...settings.database,
      version: settings.database.version ?? DEFAULT_ENGINE_VERSION[settings.database.engine],
    },
    protection: {
      deletionProtection: settings.protection.deletionProtection ?? production,
      retainData: settings.protection.retainData ?? production,
      terminationProtection: settings.protection.terminationProtection ?? production,
    },
    names: physicalNames({ project: file.project, suffix, account: env.account, region: env.region }),
  };
  return deepFreeze(resolved) as ResolvedEnvironment;
}
