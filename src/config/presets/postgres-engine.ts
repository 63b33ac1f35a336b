/**
 * What tapctl knows about RDS for PostgreSQL without asking AWS: versions, parameter units, instance memory and
 * the tuned parameter set of the rds-postgres preset. Plain data, so `tapctl validate` never loads aws-cdk-lib.
 */

/** RDS for PostgreSQL versions of supported majors, as aws-cdk-lib 2.276's PostgresEngineVersion lists them. */
export const KNOWN_POSTGRES_VERSIONS: readonly string[] = [
  ...range(13, 1, 23),
  ...range(14, 1, 22),
  ...range(15, 2, 17),
  ...range(16, 1, 13),
  ...range(17, 1, 9),
  ...range(18, 1, 3),
];

function range(major: number, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${major}.${from + i}`);
}

/** Past the end of RDS support: a new instance cannot be created on them. */
export const RETIRED_POSTGRES_MAJORS = ['9', '10', '11', '12'] as const;
/** In paid RDS Extended Support (standard support for 13 ended 2026-02-28): allowed, with a warning. */
export const EXTENDED_SUPPORT_POSTGRES_MAJORS = ['13'] as const;

/** Versions the spec records as failing (presets.md b.1, failure-lessons.md #18). */
export const RECORDED_POSTGRES_FAILURES: ReadonlyArray<{ version: string; region: string; error: string }> = [
  { version: '14.7', region: '*', error: 'deployment failure of the instance and its parameter group' },
];

/**
 * The unit RDS for PostgreSQL takes each memory parameter in, in kB. shared_buffers is counted in 8 kB pages:
 * the spec's `1048576` "KB = 1 GB" is 8 GiB there (RDS's own default is {DBInstanceClassMemory/32768} pages,
 * a quarter of memory). work_mem and maintenance_work_mem are in kB; max_wal_size and min_wal_size in MB.
 */
export const MEMORY_PARAMETER_UNIT_KB: Readonly<Record<string, number>> = {
  shared_buffers: 8,
  effective_cache_size: 8,
  wal_buffers: 8,
  temp_buffers: 8,
  work_mem: 1,
  maintenance_work_mem: 1,
  autovacuum_work_mem: 1,
  logical_decoding_work_mem: 1,
  max_wal_size: 1024,
  min_wal_size: 1024,
};

const UNIT_KB: Readonly<Record<string, number>> = { kb: 1, mb: 1024, gb: 1024 ** 2, tb: 1024 ** 3 };

/** `'1GB'` -> 1048576 (kB); undefined when the value carries no memory unit. */
export function unitStringToKb(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(kB|KB|kb|MB|mb|GB|gb|TB|tb)\s*$/.exec(value);
  return m ? Number(m[1]) * UNIT_KB[m[2].toLowerCase()] : undefined;
}

/** The integer a memory parameter needs for `kb` kilobytes, in its own unit. */
export function inParameterUnit(parameter: string, kb: number): number {
  return Math.round(kb / (MEMORY_PARAMETER_UNIT_KB[parameter] ?? 1));
}

/** Memory (GiB) of the RDS instance classes the preset is likely to use; the rest are unknown to validate. */
const SIZES_GIB: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  burstable: { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, '2xlarge': 32 },
  general: { large: 8, xlarge: 16, '2xlarge': 32, '4xlarge': 64, '8xlarge': 128, '12xlarge': 192, '16xlarge': 256 },
  memory: { large: 16, xlarge: 32, '2xlarge': 64, '4xlarge': 128, '8xlarge': 256, '12xlarge': 384, '16xlarge': 512 },
};
const FAMILY_KIND: Readonly<Record<string, keyof typeof SIZES_GIB>> = {
  t3: 'burstable', t4g: 'burstable',
  m5: 'general', m5d: 'general', m6g: 'general', m6gd: 'general', m6i: 'general', m7g: 'general', m7i: 'general', m8g: 'general',
  r5: 'memory', r5d: 'memory', r6g: 'memory', r6gd: 'memory', r6i: 'memory', r7g: 'memory', r7i: 'memory', r8g: 'memory',
};

/** `db.<family>.<size>`, the form RDS accepts. */
export const DB_INSTANCE_CLASS = /^db\.([a-z][a-z0-9-]*)\.(micro|small|medium|large|\d*xlarge|metal)$/;

export function instanceMemoryGiB(instanceClass: string): number | undefined {
  const m = DB_INSTANCE_CLASS.exec(instanceClass);
  const kind = m ? FAMILY_KIND[m[1]] : undefined;
  return kind ? SIZES_GIB[kind][m![2]] : undefined;
}

export const isBurstable = (instanceClass: string): boolean => /^db\.t\d/.test(instanceClass);

/**
 * The parameter group of the rds-postgres preset: read-heavy caching, connection hygiene, query-performance and
 * audit logging (presets.md b.1, b.7). Memory values follow the instance class: shared_buffers a quarter of
 * memory and effective_cache_size three quarters, in 8 kB pages. For a class tapctl does not know, both are left
 * to RDS's own formulas ({DBInstanceClassMemory/32768} and /16384), which size them the same way.
 */
export function tunedPostgresParameters(instanceClass: string): Record<string, string> {
  const gib = instanceMemoryGiB(instanceClass);
  const kb = gib === undefined ? undefined : gib * 1024 ** 2;
  return {
    ...(kb === undefined
      ? {}
      : {
          shared_buffers: String(inParameterUnit('shared_buffers', kb / 4)),
          effective_cache_size: String(inParameterUnit('effective_cache_size', (kb * 3) / 4)),
        }),
    // The spec's value, already in kB: 256 MB for index builds and VACUUM.
    maintenance_work_mem: '262144',
    // SSD storage: random reads cost little more than sequential ones, so indexes are preferred.
    random_page_cost: '1.1',
    // Connection management: a transaction left open holds locks and blocks VACUUM; end it after 5 minutes.
    idle_in_transaction_session_timeout: '300000',
    // Query performance: every statement slower than 1 s is logged, with the statistics of pg_stat_statements.
    log_min_duration_statement: '1000',
    track_io_timing: '1',
    // Audit (b.7): who connected, and every schema or role change (pgaudit), without logging row data.
    log_connections: '1',
    log_disconnections: '1',
    shared_preload_libraries: 'pg_stat_statements,pgaudit',
    'pgaudit.log': 'ddl,role',
    'rds.force_ssl': '1',
  };
}

/** The tuned set with the config's own values on top (numbers written as RDS expects them: strings). */
export function postgresParameters(instanceClass: string, overrides: Readonly<Record<string, string | number>>): Record<string, string> {
  const own = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)]));
  return { ...tunedPostgresParameters(instanceClass), ...own };
}

/** Performance Insights accepts 7 days (free), 1-23 months of 31 days, or 731 days. */
export const validInsightsRetention = (days: number): boolean => days === 7 || days === 731 || (days % 31 === 0 && days >= 31 && days <= 713);
