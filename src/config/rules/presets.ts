/** X1, shared by the presets: settings the preset does not read. (Names of every preset: names.ts.) */
import { own } from '../keys.js';
import { DEFAULT_ENGINE_VERSION } from '../engine-versions.js';
import { INSTEAD, NOT_APPLICABLE } from '../presets/index.js';
import { SettingsSchema } from '../schema.js';
import { finding, type EnvironmentRule } from './rule.js';

let defaults: Record<string, any> | undefined;
/** The schema's defaults, with the one resolve.ts fills in: the engine's default version. */
function resolvedDefaults(engine: keyof typeof DEFAULT_ENGINE_VERSION): Record<string, unknown> {
  defaults ??= SettingsSchema.parse({}) as Record<string, any>;
  return { ...defaults, database: { ...defaults.database, version: DEFAULT_ENGINE_VERSION[engine] } };
}

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? own(v as Record<string, unknown>, k) : undefined), value);

/** Leaf paths under `path` where `value` and `base` differ (keys of either side). */
function differences(value: unknown, base: unknown, path: string): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(value) && isObject(base)) {
    const keys = [...new Set([...Object.keys(value), ...Object.keys(base)])].sort();
    return keys.flatMap((k) => differences(own(value, k), own(base, k), `${path}.${k}`));
  }
  return JSON.stringify(value) === JSON.stringify(base) ? [] : [path];
}

/**
 * X1: a setting the preset does not read, changed from its default, is ignored, and says so. Only a changed
 * value can be seen here (the resolved environment carries every default), which is also the only kind that
 * could mislead: a default nobody wrote changes nothing either way.
 */
export const notApplicableRules: EnvironmentRule = (env) => {
  const base = resolvedDefaults(env.database.engine);
  return NOT_APPLICABLE[env.preset].flatMap((path) =>
    differences(at(env, path), at(base, path), path).map((leaf) => {
      const instead = INSTEAD[env.preset][path];
      return finding(env, leaf, 'warning', 'X1', `${leaf} does not apply to the ${env.preset} preset and is ignored`, {
        hint: instead ? `the ${env.preset} preset reads ${instead} instead` : `remove it, or see docs/presets.md for the settings ${env.preset} reads`,
      });
    }),
  );
};
