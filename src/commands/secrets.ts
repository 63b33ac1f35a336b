/**
 * `tapctl secrets set|list|unset --env <name> [NAME]`: the app's own secrets, in Secrets Manager under
 * `tapctl/<project>/<suffix>/NAME`, encrypted with the environment's key; the container gets those that
 * container.secrets names. A value comes from standard input or a hidden prompt, never from the command line.
 */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import type { Styles } from '../cli/io-host.js';
import { checkOption } from '../cli/option-checks.js';
import type { Runner } from '../cli/program.js';
import { APP_SECRET_NAME_RULE, isAppSecretName } from '../config/app-secret-names.js';
import type { ListResult, SetOptions, SetResult, UnsetOptions, UnsetResult } from '../secrets/secrets-flow.js';

const RIGHT_FORM = 'printf %s "$VALUE" | tapctl secrets set --env <name> NAME';

export function register(program: Command, runner: Runner): Command {
  const secrets = program
    .command('secrets')
    .usage('set|list|unset --env <name> [NAME]')
    .description("manage the app's secrets (Secrets Manager, encrypted with the environment's key): set, list, unset")
    .addHelpText(
      'after',
      `
Examples:
  printf %s "$STRIPE_KEY" | tapctl secrets set --env prod STRIPE_KEY     the value from standard input
  tapctl secrets set --env dev STRIPE_KEY                                at a terminal: a hidden prompt
  tapctl secrets set --env prod --deploy --yes STRIPE_KEY < key.txt      store it and roll the service onto it
  tapctl secrets list --env prod                                         names, versions, when changed; never values
  tapctl secrets unset --env dev OLD_TOKEN                               recoverable for 7 days (--now: at once)

NAME: ${APP_SECRET_NAME_RULE}. set also refuses a name the container already gets
(NODE_ENV, PORT, DB_* ...) or one starting with AWS_ or ECS_, as the config's rule K1 does; list marks a secret
under the prefix whose name breaks these rules (made outside tapctl) and says how to delete it.

Secrets live in Secrets Manager as tapctl/<project>/<suffix>/<NAME> (the suffix is the environment's name unless
the config sets one), encrypted with the environment's KMS key (so: after its first deploy), tagged Project,
Environment and ManagedBy=tapctl. The container receives those container.secrets names, as environment
variables read by ECS when a task starts: running tasks keep the old value until the service rolls
(secrets set --deploy, or the next tapctl deploy, which rolls tasks that run an older value).`,
    )
    // `tapctl secrets` alone: say which subcommands there are (exit 2), in the one result line with --json.
    .action(
      runner.action(async () => {
        throw new UsageError('secrets needs a subcommand: set, list or unset', { hint: 'e.g. tapctl secrets list --env dev; tapctl secrets --help' });
      }),
    );

  const set = secrets
    .command('set')
    .usage('--env <name> [--deploy] NAME   (the value on standard input, or a hidden prompt)')
    .description('store a secret value (from standard input, or a hidden prompt at a terminal; never from argv)')
    .argument('<NAME>', 'the environment variable the container gets (upper case: STRIPE_KEY)')
    .argument('[value...]')
    .option('--deploy', 'then roll the service so that no task runs the old value, and wait for it')
    // A value given as an option is refused like one given as an argument, without repeating it.
    .addOption(new Option('--value <value>').hideHelp())
    .action(runner.action(runSet, render));
  checkOption(set, '--value', (_value, _flag, { options }) => {
    throw valueOnCommandLine(undefined, typeof options.env === 'string' ? options.env : undefined);
  });

  secrets
    .command('list')
    .usage('--env <name>')
    .description("the environment's secrets: name, version, when it changed, whether the config gives it to the container; never a value")
    .action(runner.action(runList, render));

  secrets
    .command('unset')
    .usage('--env <name> [--now] NAME')
    .description(`schedule a secret's deletion (recoverable for 7 days; --now deletes at once); refused while the config or the running service uses it`)
    .argument('<NAME>', 'the secret to remove')
    .option('--now', 'delete at once, without the 7-day recovery window')
    .action(runner.action(runUnset, render));
  return secrets;
}

function valueOnCommandLine(name?: string, envName?: string): UsageError {
  return new UsageError(`a secret's value is never taken from the command line: every process on the machine and your shell history see it (it is not shown here)`, {
    hint: RIGHT_FORM.replace('NAME', name ?? 'NAME').replace('<name>', envName ?? '<name>'),
  });
}

/** NAME, or NAME=VALUE refused without showing the value; anything else refused without echoing it (it may be one). */
function secretNameArg(ctx: CommandContext, args: readonly string[], allowValue: boolean): string {
  const [first = '', ...rest] = args;
  const eq = first.indexOf('=');
  if (eq >= 0) throw valueOnCommandLine(isAppSecretName(first.slice(0, eq)) ? first.slice(0, eq) : undefined, ctx.globals.env);
  if (!isAppSecretName(first)) {
    throw new UsageError(`the NAME given is not a secret name (not shown, in case it is a value): ${APP_SECRET_NAME_RULE}`, {
      hint: allowValue ? RIGHT_FORM : 'e.g. tapctl secrets unset --env dev OLD_TOKEN',
    });
  }
  if (rest.length > 0) throw valueOnCommandLine(first, ctx.globals.env);
  return first;
}

export async function runSet(ctx: CommandContext, options: SetOptions, args: string[] = []): Promise<SetResult> {
  const name = secretNameArg(ctx, args, true);
  const { runSecretsSet } = await import('../secrets/secrets-flow.js');
  return runSecretsSet(ctx, name, options);
}

export async function runList(ctx: CommandContext): Promise<ListResult> {
  const { runSecretsList } = await import('../secrets/secrets-flow.js');
  return runSecretsList(ctx);
}

export async function runUnset(ctx: CommandContext, options: UnsetOptions, args: string[] = []): Promise<UnsetResult> {
  const name = secretNameArg(ctx, args, false);
  const { runSecretsUnset } = await import('../secrets/secrets-flow.js');
  return runSecretsUnset(ctx, name, options);
}

export function render(r: SetResult | ListResult | UnsetResult, s: Styles): string {
  if (r.action !== 'list') return '';
  const lines = [`${s.bold(`Secrets of '${r.environment}'`)}  ${s.dim(r.prefix)}`];
  if (r.secrets.length === 0) return [...lines, `  ${s.dim(`none yet: printf %s "$VALUE" | tapctl secrets set --env ${r.environment} NAME`)}`].join('\n');
  const status = (x: ListResult['secrets'][number]) =>
    x.nameProblem
      ? s.warn(`not usable: ${x.nameProblem}`)
      : x.status === 'missing'
      ? s.bad('missing: the config gives it to the container, and it is not set')
      : x.status === 'pending-deletion'
        ? s.warn(`scheduled for deletion ${x.deletionDate?.slice(0, 16).replace('T', ' ') ?? ''}${x.referenced ? '; the config still gives it to the container' : ''}`)
        : x.status === 'unused'
          ? s.dim('not in container.secrets')
          : s.good('set');
  const cells = r.secrets.map((x) => [x.name, x.currentVersion ? x.currentVersion.slice(0, 8) : '-', x.changedAt ? x.changedAt.slice(0, 16).replace('T', ' ') : '-']);
  const widths = [0, 1, 2].map((i) => Math.max(['NAME', 'VERSION', 'CHANGED (UTC)'][i].length, ...cells.map((c) => c[i].length)));
  const row = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join('  ');
  lines.push(`  ${s.dim(row(['NAME', 'VERSION', 'CHANGED (UTC)']))}`);
  r.secrets.forEach((x, i) => lines.push(`  ${row(cells[i])}  ${status(x)}`));
  return lines.join('\n');
}
