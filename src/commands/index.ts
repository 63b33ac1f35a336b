/** Every command, in the order `tapctl --help` lists them. Each module is light: heavy work is imported in `run`. */
import type { Command } from 'commander';
import type { Runner } from '../cli/program.js';
import * as bootstrap from './bootstrap.js';
import * as ci from './ci.js';
import * as configCmd from './config.js';
import * as deploy from './deploy.js';
import * as destroy from './destroy.js';
import * as diff from './diff.js';
import * as exec from './exec.js';
import * as env from './env.js';
import * as init from './init.js';
import * as logs from './logs.js';
import * as pushImage from './push-image.js';
import * as releases from './releases.js';
import * as rollback from './rollback.js';
import * as runCmd from './run.js';
import * as secrets from './secrets.js';
import * as status from './status.js';
import * as synth from './synth.js';
import * as validate from './validate.js';

export interface CommandModule {
  register(program: Command, runner: Runner): Command;
}

export const COMMANDS: readonly CommandModule[] = [init, validate, configCmd, synth, diff, deploy, bootstrap, destroy, status, pushImage, releases, rollback, logs, runCmd, secrets, exec, env, ci];

/**
 * The commands without subcommands, by the name each registers: a run of one of them registers only it
 * (cli/program.ts `soleCommand`); test/cli/sole-command.test.ts keeps this list and COMMANDS in step.
 */
export const SINGLE_COMMANDS: Readonly<Record<string, CommandModule>> = {
  init,
  validate,
  config: configCmd,
  synth,
  diff,
  deploy,
  bootstrap,
  destroy,
  status,
  'push-image': pushImage,
  releases,
  rollback,
  logs,
  run: runCmd,
  exec,
};
