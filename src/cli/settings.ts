/**
 * Settings read from the process environment (TAPCTL_*), defined, parsed and checked in this one place.
 * The runner checks them before any command runs: a bad value is exit 2 naming the variable and what it takes,
 * never silently replaced by the default (TAPCTL_AWS_TIMEOUT_MS=abc used to mean "20 s").
 */
import { UsageError } from './errors.js';
import { quote } from './quote.js';
import { suggest } from '../config/suggest.js';
import { withThousands } from './plain-text.js';

interface NumberSetting {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
  readonly what: string;
}

/** Every TAPCTL_* variable tapctl reads. */
export const SETTINGS = {
  awsTimeoutMs: {
    name: 'TAPCTL_AWS_TIMEOUT_MS',
    min: 1,
    max: 3_600_000,
    unit: 'milliseconds',
    what: "how long an AWS request may go unanswered, and how long toolkit-lib's work may stay silent",
  },
  pollIntervalMs: { name: 'TAPCTL_POLL_INTERVAL_MS', min: 1, max: 300_000, unit: 'milliseconds', what: 'how often tapctl polls AWS: CloudFormation during a deploy, log events when logs --follow polls' },
  ciRolesWaitMs: { name: 'TAPCTL_CI_ROLES_WAIT_MS', min: 1, max: 7_200_000, unit: 'milliseconds', what: "how long bootstrap --ci waits for CloudFormation to finish the CI roles stack (default 15 minutes)" },
} as const satisfies Record<string, NumberSetting>;

export type Settings = { readonly [K in keyof typeof SETTINGS]?: number };

const NAMES: readonly string[] = Object.values(SETTINGS).map((s) => s.name);

/**
 * The settings given in `env` (undefined where not set).
 * @throws UsageError for a value out of range or not a whole number, or for a name one typo away from a
 *   setting (TAPCTL_AWS_TIMEOUT): a setting that is silently ignored is as wrong as a bad value.
 */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  for (const name of Object.keys(env)) {
    if (!name.startsWith('TAPCTL_') || NAMES.includes(name)) continue;
    const near = suggest(name, NAMES);
    if (near) {
      throw new UsageError(`${name} is not a tapctl setting; did you mean ${near}?`, { hint: `tapctl reads ${NAMES.join(' and ')}; rename it, or unset ${name}` });
    }
  }
  const out: Record<string, number> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as Array<[keyof typeof SETTINGS, NumberSetting]>) {
    const raw = Object.hasOwn(env, spec.name) ? env[spec.name] : undefined;
    if (raw === undefined || raw === '') continue;
    const value = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= spec.min && value <= spec.max)) {
      throw new UsageError(
        `${spec.name}=${quote(raw)} is not valid: it takes a whole number of ${spec.unit} from ${withThousands(spec.min)} to ${withThousands(spec.max)}`,
        { hint: `${spec.name} sets ${spec.what}; fix it or unset it for the default` },
      );
    }
    out[key] = value;
  }
  return out;
}
