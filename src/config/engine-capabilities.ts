/**
 * What each database engine version can do, as tables with their AWS documentation page, so that a feature is
 * checked against the version it needs before any AWS call (rule R4). Consulted 2026-11-29.
 *
 * A row gives, per major version, the lowest minor that has the capability; a major the row does not list is
 * older than the capability (no minor has it) unless it is newer than every listed major (newer engines keep
 * what older ones gained). deploy's preflight asks RDS for the region's real version list; these tables are the
 * offline first line, and the versions RDS offers in a region can only be fewer.
 */
import type { DbEngine } from './schema.js';

export type AuroraCapability = 'serverlessV2' | 'zeroCapacity' | 'maxCapacity256';

export interface CapabilityRow {
  /** What the capability lets the config do, for messages. */
  readonly what: string;
  /** The settings that need it, under an environment (for messages and where the error is reported). */
  readonly keys: readonly string[];
  /** Lowest version with the capability, per major. */
  readonly lowest: Readonly<Record<string, string>>;
  /** The AWS documentation page the row comes from. */
  readonly source: string;
}

const SERVERLESS_V2_REGIONS =
  'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.ServerlessV2.html';
const AUTO_PAUSE = 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html';
// The how-it-works capacity section lists the versions per range; ServerlessV2ScalingConfiguration says
// "256 for recent Aurora versions, or 128 for older versions" and that the platform version matters too.
const CAPACITY = 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html#aurora-serverless-v2.how-it-works.capacity';

/** Aurora Serverless v2 capacity below which 0 (auto-pause) and above which 256 need a newer engine. */
export const ACU_LIMIT_OLD_ENGINES = 128;

/**
 * One capability table per Aurora engine. RDS for PostgreSQL (the rds-postgres preset) runs provisioned
 * instances and has no Aurora capacity units at all: none of these rows applies to it, and the preset ignores
 * database.minCapacity / maxCapacity with a warning (rule X1); its version rules are PG1-PG3.
 */
export const AURORA_CAPABILITIES: Readonly<Record<DbEngine, Readonly<Record<AuroraCapability, CapabilityRow>>>> = {
  'aurora-postgresql': {
    // Aurora PostgreSQL 17 reached the commercial regions with 17.4 (17.1 and 17.2 were previews).
    serverlessV2: { what: 'Aurora Serverless v2', keys: ['database.version'], lowest: { '13': '13.6', '14': '14.3', '15': '15.2', '16': '16.1', '17': '17.4' }, source: SERVERLESS_V2_REGIONS },
    zeroCapacity: { what: 'a minimum capacity of 0 ACUs (auto-pause)', keys: ['database.minCapacity'], lowest: { '13': '13.15', '14': '14.12', '15': '15.7', '16': '16.3', '17': '17.4' }, source: AUTO_PAUSE },
    maxCapacity256: { what: `a maximum capacity above ${ACU_LIMIT_OLD_ENGINES} ACUs (up to 256)`, keys: ['database.maxCapacity'], lowest: { '13': '13.14', '14': '14.11', '15': '15.6', '16': '16.2', '17': '17.4' }, source: CAPACITY },
  },
  'aurora-mysql': {
    serverlessV2: { what: 'Aurora Serverless v2', keys: ['database.version'], lowest: { '3': '3.02.0' }, source: SERVERLESS_V2_REGIONS },
    zeroCapacity: { what: 'a minimum capacity of 0 ACUs (auto-pause)', keys: ['database.minCapacity'], lowest: { '3': '3.08.0' }, source: AUTO_PAUSE },
    maxCapacity256: { what: `a maximum capacity above ${ACU_LIMIT_OLD_ENGINES} ACUs (up to 256)`, keys: ['database.maxCapacity'], lowest: { '3': '3.06.0' }, source: CAPACITY },
  },
};

const parts = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10));

/** -1, 0 or 1, numerically by component: 14.9 < 14.10, 3.08.0 < 3.10.0. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * Whether `version` has the capability of `row`. A major newer than every listed one has it; an older or
 * unlisted one between them does not.
 */
export function hasCapability(row: CapabilityRow, version: string): boolean {
  const major = version.split('.')[0];
  const lowest = row.lowest[major];
  if (lowest) return compareVersions(version, lowest) >= 0;
  const newest = Math.max(...Object.keys(row.lowest).map(Number));
  return Number(major) > newest;
}

/** The lowest version of each major that has the capability, newest major first, e.g. "17.4, 16.3, 15.7". */
export function versionsWith(row: CapabilityRow): string {
  return Object.values(row.lowest).sort((a, b) => compareVersions(b, a)).join(', ');
}

/** The lowest version with the capability in the same major as `version`, else the newest major's. */
export function lowestWith(row: CapabilityRow, version: string): string {
  const major = version.split('.')[0];
  return row.lowest[major] ?? Object.values(row.lowest).sort((a, b) => compareVersions(b, a))[0];
}
