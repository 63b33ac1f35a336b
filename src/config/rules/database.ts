/** failure-lessons.md R1/R2 and tapstack.md §1.4: engine, version, database name, username and windows. */
import {
  EXTENDED_SUPPORT_MAJORS,
  KNOWN_ENGINE_VERSIONS,
  RECORDED_UNAVAILABLE,
  RETIRED_MAJORS,
  shortEngineVersion,
} from '../engine-versions.js';
import type { ConfigIssue } from '../issues.js';
import { finding, type EnvironmentRule } from './rule.js';

const RESERVED_USERNAMES = ['rdsadmin', 'admin', 'root', 'postgres', 'mysql', 'rdsrepladmin', 'rds_superuser', 'system', 'public'];

export const engineVersionRules: EnvironmentRule = (env) => {
  const { engine } = env.database;
  const version = shortEngineVersion(engine, env.database.version);
  const major = version.split('.')[0];
  const known = KNOWN_ENGINE_VERSIONS[engine];
  const latest = known[known.length - 1];
  if (RETIRED_MAJORS[engine].includes(major)) {
    return [finding(env, 'database.version', 'error', 'R1', `${engine} ${version} is retired (major ${major} is past end of support)`, { hint: `use a supported version such as ${latest}` })];
  }
  if (!known.includes(version)) {
    const sameMajor = known.filter((v) => v.split('.')[0] === major);
    return [
      finding(env, 'database.version', 'error', 'R1', `${engine} has no version '${version}'`, {
        hint: sameMajor.length ? `versions of ${major}: ${sameMajor.join(', ')}` : `for example ${latest}`,
      }),
    ];
  }
  const out: ConfigIssue[] = [];
  for (const rec of RECORDED_UNAVAILABLE) {
    if (rec.engine !== engine || rec.version !== version) continue;
    if (rec.region === env.region) {
      out.push(finding(env, 'database.version', 'error', 'R1', `${engine} ${version} is not offered in ${env.region} (${rec.error})`, { hint: `use ${engine === 'aurora-postgresql' ? '16.4' : '3.08.0'}` }));
    } else if (rec.region === '*') {
      out.push(finding(env, 'database.version', 'warning', 'R1', `${engine} ${version} has failed to deploy before ('${rec.error}'); deploy checks the region's list first`));
    }
  }
  if (EXTENDED_SUPPORT_MAJORS[engine].includes(major)) {
    out.push(finding(env, 'database.version', 'warning', 'R1', `${engine} ${major} is in paid RDS Extended Support`, { hint: `move to ${latest}` }));
  }
  return out;
};

export const databaseIdentityRules: EnvironmentRule = (env) => {
  const { engine, name, username } = env.database;
  const out: ConfigIssue[] = [];
  const maxName = engine === 'aurora-mysql' ? 64 : 63;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.length > maxName) {
    out.push(finding(env, 'database.name', 'error', 'D2', `database name '${name}' is not allowed`, { hint: `start with a letter; letters, digits and underscores; at most ${maxName} characters` }));
  }
  const maxUser = engine === 'aurora-mysql' ? 16 : 63;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(username) || username.length > maxUser) {
    out.push(finding(env, 'database.username', 'error', 'D3', `master username '${username}' is not allowed`, { hint: `start with a letter; letters, digits and underscores; at most ${maxUser} characters for ${engine}` }));
  } else if (RESERVED_USERNAMES.includes(username.toLowerCase())) {
    out.push(finding(env, 'database.username', 'error', 'D3', `'${username}' is a reserved word for ${engine}`, { hint: 'use dbadmin, the spec default' }));
  }
  return out;
};

const WINDOW_DAY = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/;
const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

export const windowRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  const b = WINDOW.exec(env.database.backupWindow);
  if (!b) {
    out.push(finding(env, 'database.backupWindow', 'error', 'D4', `backup window '${env.database.backupWindow}' is not hh:mm-hh:mm (UTC)`));
  } else {
    const minutes = (Number(b[3]) * 60 + Number(b[4]) - (Number(b[1]) * 60 + Number(b[2])) + 1440) % 1440;
    if (minutes < 30) out.push(finding(env, 'database.backupWindow', 'error', 'D4', 'the backup window must be at least 30 minutes'));
  }
  if (!WINDOW_DAY.test(env.database.maintenanceWindow)) {
    out.push(finding(env, 'database.maintenanceWindow', 'error', 'D4', `maintenance window '${env.database.maintenanceWindow}' is not ddd:hh:mm-ddd:hh:mm (UTC), e.g. sun:04:00-sun:05:00`));
  }
  return out;
};
