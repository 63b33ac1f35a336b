/** Shared vocabulary of the schema sections: the presets, environment kinds, engines and the strict object helper. */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod compiles a fast parser (new Function) for each object schema on its first parse, which pays off only over
// many parses; tapctl parses a config once per process (and each section's defaults once), so the compiling is pure
// cost: ~9 ms of CPU in `validate`. Same results and messages; set here, before any section builds a schema, since
// each object schema reads the setting when it is made (every section imports this module).
// zod/mini's objects are core's $ZodObject, which never compiles; the setting still reaches every classic zod
// schema in the same process (zod keeps its config on globalThis), so both parse the same way wherever they meet.
z.config({ jitless: true });
// Classic zod loads its English messages by itself; zod/mini loads none and says only "Invalid input". Those
// messages reach the user (config/load.ts passes several through, tests assert them): load the same ones.
z.config(en());

export const PRESETS = ['ecommerce', 'catalog-api', 'rds-postgres'] as const;
export type Preset = (typeof PRESETS)[number];

export const ENVIRONMENT_KINDS = ['development', 'staging', 'production'] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

export const DB_ENGINES = ['aurora-postgresql', 'aurora-mysql'] as const;
export type DbEngine = (typeof DB_ENGINES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const strict = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape);
