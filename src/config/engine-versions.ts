/**
 * What tapctl knows about engine versions and Lambda runtimes without asking AWS.
 *
 * The lists mirror aws-cdk-lib 2.276's AuroraPostgresEngineVersion / AuroraMysqlEngineVersion (supported
 * majors only), kept as data so that `tapctl validate` never loads aws-cdk-lib. deploy's preflight asks RDS
 * for the region's real list (DescribeDBEngineVersions); this is the offline first line.
 */
import type { DbEngine } from './schema.js';

export const DEFAULT_ENGINE_VERSION: Readonly<Record<DbEngine, string>> = {
  // The spec's 15.3 is unavailable in several regions (failure-lessons.md #15, #16); 16.4 is recorded as available.
  'aurora-postgresql': '16.4',
  // failure-lessons.md #17: 3.05.2 was unavailable; 3.08.0 is the spec's final, region-safe choice.
  'aurora-mysql': '3.08.0',
};

export const KNOWN_ENGINE_VERSIONS: Readonly<Record<DbEngine, readonly string[]>> = {
  'aurora-postgresql': ['13.3', '13.4', '13.5', '13.6', '13.7', '13.8', '13.9', '13.10', '13.11', '13.12', '13.13', '13.14', '13.15', '13.16', '13.17', '13.18', '13.20', '13.21', '13.22', '13.23', '14.3', '14.4', '14.5', '14.6', '14.7', '14.8', '14.9', '14.10', '14.11', '14.12', '14.13', '14.14', '14.15', '14.17', '14.18', '14.19', '14.20', '14.22', '15.2', '15.3', '15.4', '15.5', '15.6', '15.7', '15.8', '15.9', '15.10', '15.12', '15.13', '15.14', '15.15', '15.17', '16.0', '16.1', '16.2', '16.3', '16.4', '16.5', '16.6', '16.8', '16.9', '16.10', '16.11', '16.13', '17.1', '17.2', '17.4', '17.5', '17.6', '17.7', '17.9', '18.3', '18.4', '18.6'],
  'aurora-mysql': ['3.01.0', '3.01.1', '3.02.0', '3.02.1', '3.02.2', '3.02.3', '3.03.0', '3.03.1', '3.03.2', '3.03.3', '3.04.0', '3.04.1', '3.04.2', '3.04.3', '3.04.4', '3.04.6', '3.05.0', '3.05.1', '3.05.2', '3.06.0', '3.06.1', '3.07.0', '3.07.1', '3.08.0', '3.08.1', '3.08.2', '3.09.0', '3.10.0', '3.10.1', '3.10.2', '3.10.3', '3.10.4', '3.11.0', '3.11.1', '3.12.0'],
};

/** Majors past the end of standard support: creating a cluster on them fails or costs Extended Support fees. */
export const RETIRED_MAJORS: Readonly<Record<DbEngine, readonly string[]>> = {
  'aurora-postgresql': ['9', '10', '11', '12'],
  'aurora-mysql': ['1', '2'],
};

/** Majors in RDS Extended Support (paid) as of this release: allowed, with a warning. */
export const EXTENDED_SUPPORT_MAJORS: Readonly<Record<DbEngine, readonly string[]>> = {
  'aurora-postgresql': ['13'],
  'aurora-mysql': [],
};

/** Versions the spec records as failing, with the region where they failed ('*' = the region it was deployed to). */
export const RECORDED_UNAVAILABLE: ReadonlyArray<{ engine: DbEngine; version: string; region: string; error: string }> = [
  { engine: 'aurora-postgresql', version: '15.3', region: 'eu-north-1', error: 'InvalidParameterValue: Cannot find version 15.3' },
  ...['15.2', '15.4', '15.7'].map((version) => ({
    engine: 'aurora-postgresql' as const,
    version,
    region: '*',
    error: `Cannot find version ${version} for aurora-postgresql`,
  })),
  { engine: 'aurora-mysql', version: '3.05.2', region: '*', error: 'Cannot find version 8.0.mysql_aurora.3.05.2 for aurora-mysql' },
];

/** Aurora MySQL versions are written 3.08.0 in tapctl; RDS calls them 8.0.mysql_aurora.3.08.0. */
export function rdsEngineVersion(engine: DbEngine, version: string): string {
  return engine === 'aurora-mysql' && !version.startsWith('8.0.') ? `8.0.mysql_aurora.${version}` : version;
}

export function shortEngineVersion(engine: DbEngine, version: string): string {
  return engine === 'aurora-mysql' ? version.replace(/^8\.0\.mysql_aurora\./, '') : version;
}

export const DB_PORT: Readonly<Record<DbEngine, number>> = { 'aurora-postgresql': 5432, 'aurora-mysql': 3306 };

/** Node.js Lambda runtimes: the processor's code is inline JavaScript, so only nodejs runtimes make sense. */
export const SUPPORTED_LAMBDA_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
export const RETIRED_LAMBDA_RUNTIMES: Readonly<Record<string, string>> = {
  'nodejs18.x': 'deprecated by AWS Lambda on 2025-09-01',
  'nodejs20.x': 'deprecated by AWS Lambda on 2026-04-30',
  'nodejs16.x': 'deprecated by AWS Lambda on 2024-06-12',
  'nodejs14.x': 'deprecated by AWS Lambda on 2023-12-04',
};
