/**
 * Production safety and operational sense. Which are errors and why:
 * - production without retained data is an ERROR: a delete would destroy the database and buckets for good,
 *   and no later flag can undo that.
 * - production without deletion or termination protection is a WARNING: it is reversible, and destroy still
 *   demands a typed confirmation and --allow-production for production.
 * - a non-production environment that retains data is a WARNING (failure-lessons.md L1): teardown leaves
 *   resources behind and a redeploy collides with their literal names.
 */
import type { ConfigIssue } from '../issues.js';
import { finding, type EnvironmentRule } from './rule.js';

export const productionSafetyRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  const p = env.protection;
  if (env.kind === 'production') {
    if (!p.retainData) {
      out.push(finding(env, 'protection.retainData', 'error', 'S2', 'production must retain its data: deleting the stack would destroy the database and buckets', { hint: 'remove protection.retainData: false, or set kind: staging if this is not production' }));
    }
    if (!p.deletionProtection) out.push(finding(env, 'protection.deletionProtection', 'warning', 'S2', 'production database and load balancer have no deletion protection'));
    if (!p.terminationProtection) out.push(finding(env, 'protection.terminationProtection', 'warning', 'S2', 'production stack has no termination protection'));
    if (env.api.dataTrace) out.push(finding(env, 'api.dataTrace', 'warning', 'S3', 'data trace logs full requests and responses, which can include credentials and personal data'));
    if (env.database.readers === 0) out.push(finding(env, 'database.readers', 'warning', 'S4', 'production has no reader instance: a writer failure means minutes of downtime instead of a ~30 s failover'));
    if (env.endpoint) out.push(finding(env, 'endpoint', 'warning', 'S5', `production sends every AWS call to ${env.endpoint}`));
  } else if (p.retainData) {
    out.push(finding(env, 'protection.retainData', 'warning', 'L1', `${env.kind} retains data: destroy leaves buckets, key and repository behind, and a redeploy collides with their names`));
  }
  return out;
};

export const alertRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  if (/@example\.(com|org|net)$/i.test(env.alarms.email)) {
    out.push(finding(env, 'alarms.email', env.kind === 'production' ? 'error' : 'warning', 'O1', `alerts go to ${env.alarms.email}, which nobody reads`, { hint: 'set alarms.email to a monitored address' }));
  }
  if (env.api.loggingLevel !== 'OFF') {
    out.push(finding(env, 'api.loggingLevel', 'warning', 'A1', `API Gateway ${env.api.loggingLevel} logging needs the account's API Gateway CloudWatch Logs role`, { hint: "tapctl bootstrap sets it once per account and region (an account-wide resource no environment owns); deploy checks it before it starts" }));
  }
  return out;
};
