/**
 * The commander program: global options, one module per command, and the runner that turns a command's
 * returned data into output. Command modules are light; their heavy work is imported inside `run`.
 */
import { awsProfile, awsRegion, checkOption, checkOptions, recordGivenValues } from './option-checks.js';
import { readSettings } from './settings.js';
import { Command, CommanderError, Option } from 'commander';
import type { CommandContext, GlobalOptions } from './context.js';
import { InterruptedError, isTapctlError, UsageError } from './errors.js';
import type { TextSink } from './fd-writer.js';
import { IoHost, type Styles } from './io-host.js';
import { terminalPrompter, type Prompter } from './prompter.js';
import { toUserError } from './user-errors.js';
import { COMMANDS, SINGLE_COMMANDS, type CommandModule } from '../commands/index.js';

export interface CliIo {
  readonly stdout: TextSink;
  /** A terminal's is Node's stream (cli/main.ts), which prompts write to: they run only when stderr is a terminal. */
  readonly stderr: TextSink;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly version: string;
  /** Tests inject answers; the default asks on the terminal. */
  readonly prompter?: Prompter;
  /** main.ts: stop treating Ctrl-C as tapctl's own until the returned function is called. */
  readonly holdInterrupts?: () => () => void;
}

/** What a command module gives the runner. */
export type Handler<O> = (ctx: CommandContext, options: O, args: string[]) => Promise<unknown>;
export type Renderer = (data: any, style: Styles) => string;
/**
 * A renderer in a module of its own, loaded only to show a result as text (not with --json, never at start-up):
 * `{ load: async () => (await import('../deploy/results.js')).renderDeploy }`.
 */
export interface LazyRenderer {
  readonly load: () => Promise<Renderer>;
}

export interface Runner {
  /** Wraps a command's `run` for commander: builds the context, runs, renders the returned data. */
  action<O>(run: Handler<O>, render?: Renderer | LazyRenderer): (...args: unknown[]) => Promise<void>;
}

/** Runs tapctl with `argv` (without node and script) and returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let host: IoHost | undefined;
  // Each command's name with its subcommands' names (`env` -> create, list, sweep).
  const commandNames = new Map<string, Set<string>>();
  const hostFor = (g: GlobalOptions) => {
    host ??= new IoHost({ stdout: io.stdout, stderr: io.stderr, json: g.json, verbose: g.verbose, color: g.color, env: io.env });
    // The verb, for the result line of a failure that comes before the command runs (an unknown option).
    host.command ??= verbOf(argv, commandNames);
    return host;
  };

  const runner: Runner = {
    action: (run, render) => async (...args) => {
      const cmd = args[args.length - 1] as Command;
      // Every option first: nothing is loaded, synthesized, asked or sent before they all pass.
      await checkOptions(cmd, { cwd: io.cwd });
      const raw = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      // Flags without a value are undefined when absent (commander prints "(default: false)" otherwise).
      const globals = { ...raw, json: Boolean(raw.json), yes: Boolean(raw.yes), verbose: Boolean(raw.verbose) };
      const ioHost = hostFor(globals);
      // The verb as the result line names it: `deploy`, or with its parent `secrets set`, `env create`.
      ioHost.command = commandPath(cmd);
      // Settings from the environment are checked before any command does anything (cli/settings.ts).
      readSettings(io.env);
      let prompter: Prompter | undefined;
      const ctx: CommandContext = {
        io: ioHost,
        globals,
        cwd: io.cwd,
        env: io.env,
        // Asked only by commands that may prompt: reading io.stdin makes Node set up process.stdin (milliseconds).
        get interactive() {
          return globals.interactive !== false && Boolean(io.stdin.isTTY) && Boolean(io.stderr.isTTY);
        },
        get prompter() {
          // The IoHost's colour decision, also for inquirer (which would otherwise decide by itself). Asked only when
          // stderr is a terminal (interactive), which is Node's stream (main.ts).
          return (prompter ??= io.prompter ?? terminalPrompter(io.stdin, io.stderr as NodeJS.WritableStream, { colour: ioHost.colour }));
        },
        get stdin() {
          return io.stdin;
        },
        signal: io.signal,
        version: io.version,
        ...(io.holdInterrupts ? { holdInterrupts: io.holdInterrupts } : {}),
      };
      // A variadic argument (run's command) arrives as one array: its words are positional too.
      const positional = args.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
      const data = await run(ctx, cmd.opts() as Parameters<typeof run>[1], positional);
      // The one final line (--json) or the rendered result: every command ends here.
      ioHost.result(data, render && 'load' in render ? (ioHost.json || data === undefined ? undefined : await render.load()) : render);
    },
  };

  const preScan = scanGlobals(argv);
  // With --json, help and the version are the result line too: commander's text is kept for it, not printed.
  let helpText = '';
  const program = buildProgram(runner, io, preScan.json ? (text) => void (helpText += text) : undefined, soleCommand(argv));
  for (const c of program.commands) commandNames.set(c.name(), new Set(c.commands.map((sub) => sub.name())));
  try {
    await program.parseAsync(helpOfSubcommand(argv), { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        if (preScan.json) helpResult(hostFor(preScan), error.code === 'commander.version' ? { version: io.version } : { help: helpText.trimEnd() }, argv);
        return 0;
      }
      if (error.exitCode === 0) return 0;
      // Commander puts its suggestion on a second line: "(Did you mean validate?)"; keep one line.
      // An unknown `--option=value` is named without its value: it may be a secret typed the wrong way.
      const message = error.message
        .replace(/^error: /, '')
        .replace(/\n\(Did you mean (.+)\?\)/, '; did you mean $1?')
        .replace(/unknown option '(-[^'=\s]+)=[^']*'/, "unknown option '$1=…' (its value not shown)");
      return hostFor(preScan).reportError(new UsageError(message, { hint: 'see tapctl --help, or tapctl <command> --help' }));
    }
    if (io.signal.aborted) {
      // Whatever a command made of the abort, the signal that caused it sets the exit code: 130 Ctrl-C, 143 SIGTERM.
      const interrupted = error instanceof InterruptedError ? error : !isTapctlError(error) ? new InterruptedError('interrupted') : undefined;
      if (interrupted) return hostFor(preScan).reportError(io.signal.reason === 'SIGTERM' ? interrupted.terminated() : interrupted);
    }
    return hostFor(preScan).reportError(toUserError(error));
  }
}

/**
 * `tapctl --version --json`, `tapctl help rollback --json`, `tapctl --json`: one result line like every command's,
 * `{"type":"result","ok":true,"command":"version","version":...}` or `{"command":"help"|"<verb>","help":"..."}`.
 */
function helpResult(host: IoHost, data: { version: string } | { help: string }, argv: readonly string[]): void {
  const words = argv.filter((a) => !a.startsWith('-'));
  host.command = 'version' in data ? 'version' : words[0] === 'help' || words.length === 0 ? 'help' : (host.command ?? 'help');
  host.result(data);
}

/**
 * `tapctl help env create`: commander's help command takes one word and would show the env group's help; the
 * subcommand's own help is `env create --help`. Other forms are left to commander.
 */
function helpOfSubcommand(argv: readonly string[]): string[] {
  if (argv[0] !== 'help') return [...argv];
  const words = argv.slice(1).filter((a) => !a.startsWith('-'));
  return words.length >= 2 ? [...argv.slice(1), '--help'] : [...argv];
}

/** The command as the result line names it: `deploy`, or with its parent `env create`. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The command argv names, for a failure commander reports before any action runs. */
function verbOf(argv: readonly string[], commands: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const i = words.findIndex((w) => commands.has(w));
  if (i < 0) return undefined;
  const sub = words[i + 1];
  return sub !== undefined && commands.get(words[i])!.has(sub) ? `${words[i]} ${sub}` : words[i];
}

/** Before commander has parsed anything we still need to know how to print an error. */
function scanGlobals(argv: readonly string[]): GlobalOptions {
  const has = (...flags: string[]) => argv.some((a) => flags.includes(a));
  return { json: has('--json'), verbose: has('--verbose'), color: !has('--no-color'), yes: has('--yes', '-y'), interactive: !has('--no-interactive') };
}

/** Global options that take a value, as they may stand before the command (`tapctl --env dev config`). */
const GLOBAL_VALUE_FLAGS = new Set(['-e', '--env', '--dir', '--profile', '--region']);
const GLOBAL_BOOLEAN_FLAGS = new Set(['--json', '-y', '--yes', '--no-interactive', '--verbose', '--no-color']);

/**
 * The one command module argv runs, when that is plain to see: the first word after global options names a command
 * without subcommands, and nothing asks for help or the version. Registering only it saves every other command's
 * registration with commander (11-16 ms of CPU for config, validate, a cached synth, status; A/B measured).
 * Anything else (no command, an unknown word or option before it, a group like `env`, help in any form, `--`)
 * registers every command, so help, suggestions and errors are exactly commander's as ever.
 */
export function soleCommand(argv: readonly string[]): CommandModule | undefined {
  if (argv.some((a) => a === '--' || a === 'help' || a === '-h' || a === '--help' || a === '-V' || a === '--version')) return undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (GLOBAL_VALUE_FLAGS.has(word)) i++;
    else if (GLOBAL_BOOLEAN_FLAGS.has(word) || GLOBAL_VALUE_FLAGS.has(word.split('=')[0]!)) continue;
    else if (word.startsWith('-')) return undefined;
    else return Object.hasOwn(SINGLE_COMMANDS, word) ? SINGLE_COMMANDS[word] : undefined;
  }
  return undefined;
}

/**
 * `capture`: where help and version text go instead of the terminal (--json). `only`: the one command to register
 * (soleCommand); every command when absent.
 */
export function buildProgram(runner: Runner, io: Pick<CliIo, 'stdout' | 'stderr' | 'version'>, capture?: (text: string) => void, only?: CommandModule): Command {
  const program = new Command('tapctl')
    .description('Run the TAP e-commerce platform on AWS: scaffold, validate, synthesize, deploy, push images and watch it.')
    .version(io.version, '-V, --version', 'print the tapctl version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    // The command list shows each command's usage, so the options a command needs (--env) are on its line.
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false, subcommandTerm: (cmd) => `${cmd.name()} ${cmd.usage()}`.trim() })
    .configureOutput({
      writeOut: (s) => (capture ? capture(s) : io.stdout.write(s)),
      // Commander's own errors are reported through the IoHost, once.
      writeErr: (s) => (s.startsWith('error:') ? undefined : capture ? capture(s) : io.stderr.write(s)),
      // Commander's defaults ask process.stdout and process.stderr, which makes Node create them (cli/fd-writer.ts).
      // Its width when there is no terminal's is 80 (commander's help.js).
      getOutHelpWidth: () => (io.stdout.isTTY && io.stdout.columns) || 80,
      getErrHelpWidth: () => (io.stderr.isTTY && io.stderr.columns) || 80,
      // tapctl's help text has no colour of its own: nothing for commander to keep.
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .exitOverride()
    .addOption(new Option('-e, --env <name>', 'environment from tapctl.config.yaml (dev, staging, prod ...)'))
    .addOption(new Option('--dir <path>', 'project folder (default: the nearest folder with tapctl.config.yaml)'))
    .addOption(new Option('--profile <name>', 'AWS profile for credentials'))
    .addOption(new Option('--region <name>', "AWS region; must match the environment's region"))
    .addOption(new Option('--json', 'machine-readable output on stdout'))
    .addOption(new Option('-y, --yes', 'answer yes to confirmations (never bypasses safety refusals)'))
    .addOption(new Option('--no-interactive', 'never prompt; fail instead when an answer is missing'))
    .addOption(new Option('--verbose', 'more detail, and stack traces on errors'))
    .addOption(new Option('--no-color', 'no colours (also honoured: NO_COLOR, non-TTY output)'));
  checkOption(program, '--profile', awsProfile);
  checkOption(program, '--region', awsRegion);

  for (const command of only ? [only] : COMMANDS) {
    const sub = command.register(program, runner);
    sub.exitOverride().showSuggestionAfterError(true);
  }
  // Every value each option is given, so a repeated single-value option is refused (option-checks.ts).
  recordGivenValues(program);
  program.addHelpText(
    'after',
    `
Exit codes: 0 success · 1 operation failed · 2 usage or configuration error · 3 refused by a safety check · 130 interrupted
Docs: README.md in the tapctl repository.`,
  );
  return program;
}
