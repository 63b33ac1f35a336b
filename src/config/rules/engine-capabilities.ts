/**
 * R4: the features the config asks of the Aurora engine, against the version that has them
 * (src/config/engine-capabilities.ts): Serverless v2 itself, a minimum of 0 ACUs (auto-pause) and a maximum above
 * 128 ACUs. Each error names both keys and the lowest version that works; it is reported at the capacity key
 * when the user wrote it, else at database.version.
 */
import { ACU_LIMIT_OLD_ENGINES, AURORA_CAPABILITIES, hasCapability, lowestWith, versionsWith, type CapabilityRow } from '../engine-capabilities.js';
import { KNOWN_ENGINE_VERSIONS, shortEngineVersion } from '../engine-versions.js';
import type { ConfigIssue } from '../issues.js';
import { finding, wrote, type EnvironmentRule } from './rule.js';

export const engineCapabilityRules: EnvironmentRule = (env, ctx) => {
  const { engine, minCapacity, maxCapacity } = env.database;
  const version = shortEngineVersion(engine, env.database.version);
  if (!KNOWN_ENGINE_VERSIONS[engine].includes(version)) return []; // R1 reports an unknown version
  const table = AURORA_CAPABILITIES[engine];
  const quoted = (v: string) => `"${v}"`;

  if (!hasCapability(table.serverlessV2, version)) {
    return [
      finding(env, 'database.version', 'error', 'R4', `${engine} ${version} has no Aurora Serverless v2, which the writer and readers run on (lowest version per major: ${versionsWith(table.serverlessV2)})`, {
        hint: `set database.version: ${quoted(lowestWith(table.serverlessV2, version))} or later (${table.serverlessV2.source})`,
      }),
    ];
  }
  const out: ConfigIssue[] = [];
  const check = (row: CapabilityRow, asked: boolean, key: string, value: number, fallback: string) => {
    if (!asked || hasCapability(row, version)) return;
    const at = wrote(ctx, env, key) ? key : 'database.version';
    out.push(
      finding(env, at, 'error', 'R4', `${key} ${value} asks for ${row.what}, which needs ${engine} ${lowestWith(row, version)} or later (lowest per major: ${versionsWith(row)}); database.version is ${version}`, {
        hint: `set database.version: ${quoted(lowestWith(row, version))} or later, or ${key}: ${fallback} (${row.source})`,
      }),
    );
  };
  check(table.zeroCapacity, minCapacity === 0, 'database.minCapacity', minCapacity, '0.5');
  check(table.maxCapacity256, maxCapacity > ACU_LIMIT_OLD_ENGINES, 'database.maxCapacity', maxCapacity, String(ACU_LIMIT_OLD_ENGINES));
  return out;
};
