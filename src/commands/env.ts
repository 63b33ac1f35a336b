/**
 * `tapctl env create|list|sweep`: preview environments, ephemeral copies of a configured non-production
 * environment that live only in AWS (src/preview/). Every other command addresses one with --env <name>.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import type { Styles } from '../cli/io-host.js';
import { checkOption, conflicting, readsStdin } from '../cli/option-checks.js';
import type { Runner } from '../cli/program.js';
import { quote } from '../cli/quote.js';
import { suggest } from '../config/suggest.js';
import { BUILDER_NAMES } from '../image/builder.js';
import type { EnvCreateOptions, EnvCreateResult } from '../preview/create-flow.js';
import type { EnvListResult } from '../preview/list-flow.js';
import type { SweepResult } from '../preview/sweep-flow.js';

type Previews = typeof import('../preview/run.js');
/** The preview modules, loaded by the subcommand that runs (one import: preview/run.ts); the renderers need them too. */
let previews: Previews | undefined;
const load = async () => (previews ??= await import('../preview/run.js'));
const renderCreate = (r: EnvCreateResult, s: Styles) => previews!.renderCreate(r, s);
const renderList = (r: EnvListResult, s: Styles) => previews!.renderList(r, s);
const renderSweep = (r: SweepResult, s: Styles) => previews!.renderSweep(r, s);

const SUBCOMMANDS = ['create', 'list', 'sweep'];

export function register(program: Command, runner: Runner): Command {
  const env = program
    .command('env')
    .usage('create|list|sweep [options]')
    .description('preview environments: create one from a non-production environment, list every environment, sweep expired previews')
    .argument('[subcommand]')
    // `tapctl env` alone or with an unknown word: a usage error naming the subcommands (exit 2).
    .action(runner.action(async (_ctx, _options, args) => {
      const hint = 'tapctl env create pr-123 --from dev · tapctl env list · tapctl env sweep --dry-run';
      if (args[0] === undefined) throw new UsageError('env needs a subcommand: create, list or sweep', { hint });
      const near = suggest(args[0], SUBCOMMANDS);
      throw new UsageError(`env has no subcommand ${quote(args[0])}${near ? ` (did you mean '${near}'?)` : ''}: it has create, list and sweep`, { hint });
    }));

  const create = env
    .command('create')
    .argument('<name>', 'the preview\'s name (lower-case letters, digits and hyphens; e.g. pr-123): what --env takes afterwards')
    .usage('<name> --from <env> [--ttl 3d] [--image <ref>] [options]')
    .description('create (or update) a preview environment from a non-production one, deploy it, and print its URL')
    .addOption(new Option('--from <env>', 'the configured non-production environment to build it from'))
    // Checked first thing in the run, before the project loads (preview/ttl.ts: not loaded at every start).
    .option('--ttl <duration>', 'how long it lives before env sweep deletes it: m, h or d, from 1h to 30d (default 3d)')
    .option('--image <ref>', 'run this image (repository:tag or repository@sha256:...) instead of building the working tree')
    .option('--branch <name>', 'the git branch it belongs to (default: GITHUB_HEAD_REF, CI_MERGE_REQUEST_SOURCE_BRANCH_NAME, else git)')
    .addOption(new Option('--builder <name>', 'container builder for the working tree\'s image (as push-image)').choices(['auto', ...BUILDER_NAMES]))
    .option('--no-wait', 'do not wait for ECS to run the image (the stack\'s creation is always waited for)')
    .addHelpText(
      'after',
      `
The preview takes the source's settings with nothing retained, no deletion or termination protection, its own
physical names (the name is their suffix) and the smallest sizes (README: Preview environments). Its record
(source, branch, creator, created, expires) is its CloudFormation stack's tags: tapctl.config.yaml is not edited.
Creating an existing preview again deploys it again and moves its expiry. Without a terminal, --yes approves.
Exit codes: 0 created, 1 the deploy or build failed, 2 a bad name, --ttl, --image or --from (production), 3 refused
(wrong account, no approval, a stack of that name that is not this preview).`,
    )
    .action(runner.action((ctx, options: EnvCreateOptions, args) => runCreate(ctx, args[0], options), renderCreate));
  checkOption(create, '--image', (value) => checkImageReference(String(value)));
  conflicting(create, '--builder', ['--image']);

  env
    .command('list')
    .description('every environment of the project: configured ones (deployed or not) and previews, with status, age and expiry')
    .action(runner.action(runList, renderList));

  const sweep = env
    .command('sweep')
    .usage('[--live-branches <file|->] [--dry-run] [options]')
    .description('delete expired previews, and those whose branch is not live, each with destroy\'s safety')
    .option('--live-branches <file>', "the branches still live, one per line ('-': stdin; git ls-remote --heads output works): a preview of any other branch is deleted")
    .option('--dry-run', 'list what it would delete, delete nothing')
    .addHelpText(
      'after',
      `
Only stacks tagged as previews of this project are ever considered, and each is checked again right before its
deletion. Without a terminal, --yes confirms (a dry run needs nothing). A preview whose deletion fails is listed
and tried again by the next run. Exit codes: 0 every due preview deleted (or none due), 1 some deletion failed
(listed), 2 bad input, 3 refused (no confirmation, wrong account, a stack whose tags do not hold).`,
    )
    .action(runner.action(runSweep, renderSweep));
  checkOption(sweep, '--live-branches', (value, flag, { cwd }) => checkReadableFile(String(value), flag, cwd));
  readsStdin(sweep, '--live-branches');
  for (const sub of env.commands) sub.exitOverride().showSuggestionAfterError(true);
  return env;
}

/** A reference an ECS task can name: with a tag or a digest (never an implied `latest`), short enough for its tag. */
function checkImageReference(ref: string): void {
  const ok = /^[a-z0-9][a-z0-9._\-/:]*[a-z0-9](:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(ref);
  const hasVersion = /@sha256:[a-f0-9]{64}$/.test(ref) || /:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(ref.slice(ref.lastIndexOf('/') + 1));
  if (!ok || !hasVersion) {
    throw new UsageError(`--image ${quote(ref)} is not an image reference with a tag or digest`, { hint: 'e.g. --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev:3f2c1ab or ...@sha256:<64 hex>' });
  }
  if (/:latest$/.test(ref)) throw new UsageError("--image ...:latest moves: give an immutable tag or a digest, so that the preview's stack says what it runs");
  // Every character of a valid reference is one a tag keeps as it is (preview/tags.ts): its length is the tag's.
  if (ref.length > IMAGE_TAG_MAX) throw new UsageError(`--image is ${ref.length} characters: the stack tag that records it holds at most ${IMAGE_TAG_MAX}`, { hint: 'use repository@sha256:<digest>' });
}

/** A CloudFormation tag value's limit (preview/tags.ts TAG_VALUE_MAX; not imported: it loads node:crypto). */
const IMAGE_TAG_MAX = 256;

function checkReadableFile(value: string, flag: string, cwd: string): void {
  if (value === '-') return;
  const path = resolve(cwd, value);
  if (!existsSync(path)) throw new UsageError(`${flag} ${quote(value)}: there is no such file`, { hint: `give a file with one branch per line, or - to read them from stdin` });
  if (!statSync(path).isFile()) throw new UsageError(`${flag} ${quote(value)} is not a regular file`, { hint: 'give a file with one branch per line' });
}

async function runCreate(ctx: CommandContext, name: string, options: EnvCreateOptions): Promise<EnvCreateResult> {
  const [previewModules, { createRun }] = await Promise.all([load(), import('../image/push-flow.js')]);
  return previewModules.runEnvCreate(ctx, name, options, createRun);
}

async function runList(ctx: CommandContext): Promise<EnvListResult> {
  refuseEnv(ctx, 'list', 'it lists every environment of the project');
  return (await load()).runEnvList(ctx);
}

/** env list and env sweep span every environment: an --env would be silently ignored, so it is exit 2. */
function refuseEnv(ctx: CommandContext, sub: 'list' | 'sweep', why: string): void {
  if (!ctx.globals.env) return;
  throw new UsageError(`env ${sub} takes no --env (${quote(ctx.globals.env, 40)}): ${why}`, { hint: `tapctl env ${sub}${sub === 'sweep' ? ' --dry-run' : ''}; for one environment: tapctl status --env ${ctx.globals.env.slice(0, 40)}` });
}

/** Branches from a file or stdin: at most 1 MiB (a list of live branches, not a repository). */
const MAX_LIVE_BRANCHES_BYTES = 1024 * 1024;

async function runSweep(ctx: CommandContext, options: { liveBranches?: string; dryRun?: boolean }): Promise<SweepResult> {
  refuseEnv(ctx, 'sweep', 'it looks at every preview of the project (tapctl destroy --env <preview> deletes one)');
  const m = await load();
  const liveBranches = options.liveBranches === undefined ? undefined : m.parseLiveBranches(await readList(ctx, options.liveBranches));
  const result = await m.runEnvSweep(ctx, { ...(liveBranches ? { liveBranches } : {}), dryRun: Boolean(options.dryRun) });
  if (result.failed.length === 0 && result.refused.length === 0) return result;
  // The list first (a person reads what happened), then the one failure line; --json has it in error.details.
  if (!ctx.io.json) ctx.io.result(result, renderSweep);
  const { OperationError, RefusedError } = await import('../cli/errors.js');
  if (result.failed.length > 0) {
    throw new OperationError(`${result.failed.length} of ${result.failed.length + result.deleted.length} previews were not deleted: ${result.failed.map((f) => f.name).join(', ')}`, {
      code: 'sweep-failed',
      hint: 'each is listed with why; the next tapctl env sweep tries them again',
      details: result,
    });
  }
  throw new RefusedError(`env sweep did not touch ${result.refused.map((r) => r.stack).join(', ')}: ${result.refused[0].detail}`, {
    hint: 'a stack tapctl does not recognise as a preview of this project is never deleted by sweep; look at its tags',
    details: result,
  });
}

async function readList(ctx: CommandContext, source: string): Promise<string> {
  if (source !== '-') {
    const path = resolve(ctx.cwd, source);
    if (statSync(path).size > MAX_LIVE_BRANCHES_BYTES) throw new UsageError(`--live-branches ${quote(source)} is over 1 MiB: not a list of branches`);
    return readFileSync(path, 'utf8');
  }
  if (!ctx.stdin) throw new UsageError('--live-branches -: there is no standard input to read');
  let text = '';
  for await (const chunk of ctx.stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > MAX_LIVE_BRANCHES_BYTES) throw new UsageError('--live-branches -: standard input is over 1 MiB: not a list of branches');
  }
  return text;
}
