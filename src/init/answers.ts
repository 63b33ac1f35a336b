/**
 * The answers `tapctl init` needs, from flags first and from questions when a person is there to answer
 * (style.md pattern 5). Every question has a flag; without a terminal an answer that has no default is an error
 * naming its flag, never a hang and never a guess.
 */
import { basename } from 'node:path';
import { UsageError } from '../cli/errors.js';
import type { Choice } from '../cli/prompter.js';
import type { DbEngine, EnvironmentKind, Preset } from '../config/schema.js';
import { answer, missing, valueOrThrow, type AnswerSource } from './ask.js';
import {
  parseAccount,
  parseArchitecture,
  parseEmail,
  parseEngine,
  parseEnvironments,
  parsePort,
  parsePreset,
  parseProject,
  parseRegion,
  projectNameFromFolder,
  type Architecture,
  type Parsed,
} from './validators.js';

export type { AnswerSource } from './ask.js';

/** init's own flags, as commander gives them: raw strings, parsed here. */
export interface InitFlags {
  readonly project?: string;
  readonly preset?: string;
  readonly envs?: string;
  readonly account?: string;
  readonly prodAccount?: string;
  readonly email?: string;
  readonly engine?: string;
  readonly arch?: string;
  readonly port?: string;
}

export interface EnvironmentAnswer {
  readonly name: string;
  readonly kind: EnvironmentKind;
  readonly account: string;
  readonly region: string;
}

export interface InitAnswers {
  readonly project: string;
  readonly preset: Preset;
  readonly environments: readonly EnvironmentAnswer[];
  readonly email: string;
  readonly engine: DbEngine;
  readonly architecture: Architecture;
  readonly port: number;
}

export const DEFAULTS = { preset: 'ecommerce', envs: 'dev,staging,prod', region: 'us-east-1', engine: 'aurora-postgresql', arch: 'x86_64', port: '3000' } as const;

const PRESET_CHOICES: readonly Choice<Preset>[] = [
  { value: 'ecommerce', name: 'ecommerce', description: 'the full platform: VPC, Aurora, ECS Fargate, API Gateway + Lambda, CloudFront' },
  { value: 'catalog-api', name: 'catalog-api', description: 'product catalog API: ECS Fargate Spot behind an ALB and CloudFront, Aurora' },
  { value: 'rds-postgres', name: 'rds-postgres', description: 'read-heavy RDS PostgreSQL: primary, read replicas across zones, SSM bastion' },
];
const ENGINE_CHOICES: readonly Choice<DbEngine>[] = [{ value: 'aurora-postgresql' }, { value: 'aurora-mysql' }];
const ARCH_CHOICES: readonly Choice<Architecture>[] = [
  { value: 'x86_64', description: 'linux/amd64' },
  { value: 'arm64', description: 'linux/arm64 (Graviton: about 20% cheaper per task)' },
];

const ACCOUNT_USAGE = '--account <12-digit account id>';
const EMAIL_USAGE = '--email <address for alarms>';

/**
 * Every given flag is checked before the first question, so a typo in --port fails at once instead of after
 * five answers; and without a terminal, every missing required flag is named in one message.
 */
function checkFlagsFirst(flags: InitFlags, source: AnswerSource): void {
  const checks: Array<[string, string, string | undefined, (raw: string) => Parsed<unknown>]> = [
    ['--project', '--project <name>', flags.project, parseProject],
    ['--preset', '--preset <ecommerce|catalog-api|rds-postgres>', flags.preset, parsePreset],
    ['--envs', '--envs <dev,staging,prod>', flags.envs, (raw) => parseEnvironments(raw)],
    ['--account', ACCOUNT_USAGE, flags.account, parseAccount],
    ['--prod-account', '--prod-account <12-digit account id>', flags.prodAccount, parseAccount],
    ['--region', '--region <aws region>', source.region, parseRegion],
    ['--email', EMAIL_USAGE, flags.email, (raw) => parseEmail(raw)],
    ['--engine', '--engine <aurora-postgresql|aurora-mysql>', flags.engine, parseEngine],
    ['--arch', '--arch <x86_64|arm64>', flags.arch, parseArchitecture],
    ['--port', '--port <1-65535>', flags.port, parsePort],
  ];
  for (const [flag, usage, given, parse] of checks) if (given !== undefined) valueOrThrow({ flag, usage }, parse(given.trim()));
  if (!source.interactive) {
    const absent = [
      ...(flags.account === undefined ? [{ flag: '--account', usage: ACCOUNT_USAGE }] : []),
      ...(flags.email === undefined ? [{ flag: '--email', usage: EMAIL_USAGE }] : []),
    ];
    if (absent.length > 0) throw missing(absent);
  }
}

export async function gatherAnswers(flags: InitFlags, source: AnswerSource): Promise<InitAnswers> {
  checkFlagsFirst(flags, source);
  const project = await answer(
    { flag: '--project', usage: '--project <name>', message: 'Project name (starts every AWS resource name)', given: flags.project, fallback: projectNameFromFolder(basename(source.dir)), parse: parseProject },
    source,
  );
  const preset = await answer(
    { flag: '--preset', usage: '--preset <name>', message: 'Which platform?', given: flags.preset, fallback: DEFAULTS.preset, choices: PRESET_CHOICES, parse: parsePreset },
    source,
  );
  const envs = await answer(
    { flag: '--envs', usage: '--envs <dev,staging,prod>', message: 'Environments (comma-separated)', given: flags.envs, fallback: DEFAULTS.envs, parse: (raw) => parseEnvironments(raw, project) },
    source,
  );
  const production = envs.filter((e) => e.kind === 'production').map((e) => e.name);
  const others = envs.filter((e) => e.kind !== 'production').map((e) => e.name);
  if (flags.prodAccount !== undefined && production.length === 0) {
    throw new UsageError(`--prod-account: none of ${others.join(', ')} is a production environment`, { hint: 'production environments are named prod, production or prd; or leave --prod-account out' });
  }
  const account = await answer(
    { flag: '--account', usage: ACCOUNT_USAGE, message: `AWS account ID (12 digits) for ${(others.length ? others : production).join(', ')}`, given: flags.account, parse: parseAccount },
    source,
  );
  // A separate production account is the common AWS setup; asked only when there is something to separate.
  const prodAccount =
    production.length > 0 && others.length > 0
      ? await answer(
          { flag: '--prod-account', usage: '--prod-account <12-digit account id>', message: `AWS account ID for ${production.join(', ')}`, given: flags.prodAccount, fallback: account, parse: parseAccount },
          source,
        )
      : (flags.prodAccount?.trim() ?? account);
  const region = await answer(
    { flag: '--region', usage: '--region <aws region>', message: 'AWS region', given: source.region, fallback: DEFAULTS.region, parse: parseRegion },
    source,
  );
  const email = await answer(
    { flag: '--email', usage: EMAIL_USAGE, message: 'Email address for alarm notifications', given: flags.email, parse: (raw) => parseEmail(raw, production.length > 0) },
    source,
  );
  const engine = await engineFor(preset, flags.engine, source);
  // catalog-api runs its tasks on Fargate Spot, which runs x86_64 only (rule CS3): arm64 is not a choice there.
  const spotOnly = preset === 'catalog-api';
  const architecture = await answer(
    {
      flag: '--arch',
      usage: spotOnly ? '--arch x86_64' : '--arch <x86_64|arm64>',
      message: 'CPU architecture of the service',
      given: flags.arch,
      fallback: DEFAULTS.arch,
      choices: spotOnly ? ARCH_CHOICES.filter((c) => c.value === 'x86_64') : ARCH_CHOICES,
      parse: (raw) => {
        const parsed = parseArchitecture(raw);
        return spotOnly && parsed.ok && parsed.value === 'arm64'
          ? { ok: false, error: 'the catalog-api preset runs its tasks on Fargate Spot, which runs x86_64 only: choose x86_64' }
          : parsed;
      },
    },
    source,
  );
  const port = await answer(
    { flag: '--port', usage: '--port <1-65535>', message: 'Port the service listens on', given: flags.port, fallback: DEFAULTS.port, parse: parsePort },
    source,
  );
  const environments = envs.map((e) => ({ ...e, account: e.kind === 'production' ? prodAccount : account, region }));
  return { project, preset, environments, email, engine, architecture, port };
}

/** rds-postgres is PostgreSQL by definition: no question, and a MySQL flag is a contradiction. */
async function engineFor(preset: Preset, given: string | undefined, source: AnswerSource): Promise<DbEngine> {
  const usage = '--engine <aurora-postgresql|aurora-mysql>';
  if (preset === 'rds-postgres') {
    if (given !== undefined && given.trim() !== 'aurora-postgresql') {
      throw new UsageError(`--engine: the rds-postgres preset is PostgreSQL; it cannot use ${given.trim()}`, { hint: 'leave --engine out, or choose --preset ecommerce or catalog-api' });
    }
    return 'aurora-postgresql';
  }
  return answer({ flag: '--engine', usage, message: 'Database engine', given, fallback: DEFAULTS.engine, choices: ENGINE_CHOICES, parse: parseEngine }, source);
}
