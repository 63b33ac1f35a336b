/**
 * Defaults a preset gives the settings it shares with the others, where its spec differs from tapstack.md.
 * They sit under the file's own `defaults:` and each environment's overrides (resolve.ts), so a config always
 * wins; a config that says nothing gets the preset's spec values. The rds-postgres preset needs none: its
 * numbers live in its own `postgres:` section.
 */
import type { Preset } from '../schema.js';

export const PRESET_DEFAULTS: Readonly<Record<Preset, Readonly<Record<string, unknown>>>> = {
  ecommerce: {},
  'catalog-api': {
    // a.7
    database: { name: 'catalogdb' },
    // a.10: scale at 70 % CPU; in slowly (300 s) so that a short lull does not drop capacity, out fast (60 s).
    container: { cpuTargetPercent: 70, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 },
    // a.5: logs expire after 30 days.
    storage: { logsExpireDays: 30 },
    // The service scales at 70 %, so an alarm at 70 would fire on every scale-out; at 85 it means scaling lags.
    alarms: { ecsCpuPercent: 85 },
  },
  'rds-postgres': {},
};
