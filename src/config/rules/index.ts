/** Every cross-field and AWS-limit rule, run on each resolved environment, then the rules across environments. */
import type { ConfigIssue } from '../issues.js';
import type { ResolvedEnvironment } from '../resolve.js';
import type { ConfigFile } from '../schema.js';
import { appSecretRules } from './app-secrets.js';
import { auroraCapacityRules, fargateRules, networkRules, taskCountRules } from './capacity.js';
import { databaseIdentityRules, engineVersionRules, windowRules } from './database.js';
import { deploymentRules } from './deployment.js';
import { engineCapabilityRules } from './engine-capabilities.js';
import { edgeRules, sharedDomainRules } from './edge.js';
import { emulatorRules } from './emulator.js';
import { nameRules } from './names.js';
import { EMPTY_CONTEXT, type EnvironmentRule, type RuleContext } from './rule.js';
import { placeholderRules, suffixAsWrittenRules, tagRules } from './written.js';
import { buildArgRules, secretValueRules } from './secrets.js';
import { imageRules, lambdaRuntimeRules, retentionRules } from './runtime.js';
import { alertRules, productionSafetyRules } from './safety.js';
import type { Preset } from '../schema.js';
import { catalogSettingsRules, destroyableRules, expensiveResourceRules, hardCodedEnvironmentRules, spotArchitectureRules } from './catalog-api.js';
import { notApplicableRules } from './presets.js';
import { postgresParameterRules, postgresSizingRules, postgresVersionRules, replicaPlacementRules } from './rds-postgres.js';

/** The ecommerce preset's rules (tapstack.md). */
export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  suffixAsWrittenRules,
  nameRules,
  fargateRules,
  auroraCapacityRules,
  taskCountRules,
  networkRules,
  engineVersionRules,
  engineCapabilityRules,
  databaseIdentityRules,
  windowRules,
  lambdaRuntimeRules,
  imageRules,
  buildArgRules,
  retentionRules,
  productionSafetyRules,
  alertRules,
  tagRules,
  edgeRules,
  emulatorRules,
  appSecretRules,
  deploymentRules,
];

/** Drops the findings of some rule IDs from a shared rule that checks more than one thing. */
const without = (rule: EnvironmentRule, ...ids: string[]): EnvironmentRule => (env, ctx) => rule(env, ctx).filter((i) => !ids.includes(i.rule));

/** NAT count per zone (V4) warns about production egress; in rds-postgres only the bastion and rotation use it. */
const networkRulesWithoutEgressWarning: EnvironmentRule = (env, ctx) =>
  networkRules(env, ctx).filter((i) => !(i.rule === 'V4' && i.severity === 'warning'));

/**
 * Each preset's rules: the shared ones that concern what it builds, then its own. catalog-api turns the L1
 * warning (retained data outside production) into the CA3 error its spec asks for; rds-postgres has no Aurora
 * reader (S4) and no API (S3) and checks its replicas itself.
 */
export const PRESET_RULES: Readonly<Record<Preset, readonly EnvironmentRule[]>> = {
  ecommerce: [...ENVIRONMENT_RULES, notApplicableRules],
  'catalog-api': [
    suffixAsWrittenRules,
    nameRules,
    notApplicableRules,
    fargateRules,
    taskCountRules,
    networkRules,
    engineVersionRules,
    databaseIdentityRules,
    windowRules,
    imageRules,
    buildArgRules,
    retentionRules,
    without(productionSafetyRules, 'L1'),
    alertRules,
    tagRules,
    hardCodedEnvironmentRules,
    destroyableRules,
    expensiveResourceRules,
    catalogSettingsRules,
    spotArchitectureRules,
    edgeRules,
    emulatorRules,
    appSecretRules,
    deploymentRules,
  ],
  'rds-postgres': [
    suffixAsWrittenRules,
    nameRules,
    notApplicableRules,
    networkRulesWithoutEgressWarning,
    databaseIdentityRules,
    windowRules,
    without(productionSafetyRules, 'S3', 'S4'),
    alertRules,
    tagRules,
    buildArgRules,
    postgresVersionRules,
    postgresParameterRules,
    replicaPlacementRules,
    postgresSizingRules,
    emulatorRules,
    deploymentRules,
  ],
};

/**
 * Every rule: first those that read the file as written (placeholders), then each environment's, then the
 * rules across environments. `raw` is the file as parsed from YAML (RuleContext).
 */
export function runRules(file: ConfigFile, environments: readonly ResolvedEnvironment[], raw?: Record<string, unknown>): ConfigIssue[] {
  const ctx: RuleContext = raw ? { raw } : EMPTY_CONTEXT;
  const issues = environments.flatMap((env) => PRESET_RULES[env.preset].flatMap((rule) => rule(env, ctx)));
  return [...placeholderRules(ctx), ...secretValueRules(ctx), ...issues, ...crossEnvironmentRules(file, environments)];
}

/** The preset's rules on one resolved environment alone (env create checks a preview's derived settings). */
export function environmentIssues(env: ResolvedEnvironment): ConfigIssue[] {
  return PRESET_RULES[env.preset].flatMap((rule) => rule(env, EMPTY_CONTEXT));
}

/**
 * Two environments in one account and region with the same suffix would fight over the same resources (N8);
 * two cannot serve one domain name either (DN6).
 */
function crossEnvironmentRules(_file: ConfigFile, environments: readonly ResolvedEnvironment[]): ConfigIssue[] {
  const seen = new Map<string, string>();
  const out: ConfigIssue[] = sharedDomainRules(environments);
  for (const env of environments) {
    const key = `${env.account}/${env.region}/${env.names.stack}`;
    const other = seen.get(key);
    if (other) {
      out.push({
        severity: 'error',
        rule: 'N8',
        path: `environments.${env.name}`,
        environment: env.name,
        message: `environments '${other}' and '${env.name}' would both deploy stack ${env.names.stack} to ${env.account}/${env.region}`,
        hint: `give one of them a different suffix (environments.${env.name}.suffix)`,
      });
    } else {
      seen.set(key, env.name);
    }
  }
  return out;
}
