/**
 * AWS's session-manager-plugin, which carries an ECS Exec session between the terminal and the task. tapctl
 * starts it the way the AWS CLI does (awscli/customizations/ecs/executecommand.py): the ExecuteCommand session
 * in the environment variable AWS_SSM_START_SESSION_RESPONSE (its name in argv, so the session token is not in
 * `ps`), then region, "StartSession", profile, the target as JSON, and the endpoint.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { UsageError } from '../cli/errors.js';
import { spawnProcess, whichOnPath } from '../image/exec.js';

export const PLUGIN = 'session-manager-plugin';
/** The oldest plugin AWS still supports (the page above). */
export const MIN_PLUGIN_VERSION = '1.2.764.0';
const SESSION_VARIABLE = 'AWS_SSM_START_SESSION_RESPONSE';
const DOWNLOADS = 'https://s3.amazonaws.com/session-manager-downloads/plugin/latest';

export interface Platform {
  readonly os: NodeJS.Platform;
  readonly arch: string;
  /** Which package manager a Linux machine has (dpkg: deb; rpm: rpm). */
  readonly hasDpkg: boolean;
  /** Undefined: not looked for (then a Linux machine without dpkg is taken to use rpm). */
  readonly hasRpm?: boolean;
}

/** The platform tapctl runs on. */
export function currentPlatform(env: NodeJS.ProcessEnv): Platform {
  const which = whichOnPath(env);
  return {
    os: process.platform,
    arch: process.arch,
    hasDpkg: Boolean(which('dpkg')) || existsSync('/usr/bin/dpkg'),
    hasRpm: Boolean(which('rpm')) || existsSync('/usr/bin/rpm'),
  };
}

const INSTALL_PAGE = 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html';

/** How to install the plugin on this platform, as commands to paste (the page above, per platform and CPU). */
export function installHint(p: Platform): string {
  const arm = p.arch === 'arm64';
  if (p.os === 'darwin') {
    const pkg = `${DOWNLOADS}/${arm ? 'mac_arm64' : 'mac'}/session-manager-plugin.pkg`;
    return (
      `macOS (${arm ? 'Apple silicon' : 'Intel'}): brew install --cask session-manager-plugin; ` +
      `or without Homebrew: curl -o session-manager-plugin.pkg "${pkg}" && sudo installer -pkg session-manager-plugin.pkg -target / && sudo ln -s /usr/local/sessionmanagerplugin/bin/session-manager-plugin /usr/local/bin/session-manager-plugin`
    );
  }
  if (p.os === 'linux') {
    if (p.hasDpkg) return `Debian/Ubuntu (${arm ? 'arm64' : 'x86_64'}): curl -o session-manager-plugin.deb "${DOWNLOADS}/${arm ? 'ubuntu_arm64' : 'ubuntu_64bit'}/session-manager-plugin.deb" && sudo dpkg -i session-manager-plugin.deb`;
    if (p.hasRpm !== false) return `RHEL/Amazon Linux/Fedora (${arm ? 'arm64' : 'x86_64'}): sudo yum install -y "${DOWNLOADS}/${arm ? 'linux_arm64' : 'linux_64bit'}/session-manager-plugin.rpm"`;
    return `Linux without dpkg or rpm: install it from ${INSTALL_PAGE} (the .deb or .rpm for ${arm ? 'arm64' : 'x86_64'}, unpacked by hand)`;
  }
  if (p.os === 'win32') return `Windows: download and run ${DOWNLOADS}/windows/SessionManagerPluginSetup.exe (${INSTALL_PAGE})`;
  return `see ${INSTALL_PAGE}`;
}

/**
 * The plugin's path. @throws UsageError (exit 2) naming how to install it for this platform when it is not on
 * PATH: checked before any AWS call.
 */
export function requirePlugin(env: NodeJS.ProcessEnv, platform: Platform = currentPlatform(env)): string {
  const path = whichOnPath(env)(PLUGIN);
  if (path) return path;
  throw new UsageError(`tapctl exec needs AWS's ${PLUGIN}, which is not on your PATH`, {
    hint: `install it, then run tapctl exec again. ${installHint(platform)}`,
  });
}

/** The plugin's version (`--version`), or undefined when it does not say. */
export async function pluginVersion(path: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const out = await spawnProcess({ command: path, args: ['--version'], env, timeoutMs: 10_000 });
  return /\d+\.\d+\.\d+\.\d+/.exec(out.stdout)?.[0];
}

/** a < b for dotted versions. */
export function olderThan(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

export interface PluginSession {
  /** ExecuteCommand's `session`: sessionId, streamUrl, tokenValue. */
  readonly session: { readonly sessionId?: string; readonly streamUrl?: string; readonly tokenValue?: string };
  readonly region: string;
  readonly profile?: string;
  /** `ecs:<cluster>_<task id>_<container runtime id>` */
  readonly target: string;
  /** The ECS endpoint the session was asked of. */
  readonly endpoint: string;
}

/** The plugin's argv and environment for a session (the token only in the environment). */
export function pluginInvocation(s: PluginSession, env: NodeJS.ProcessEnv): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [SESSION_VARIABLE, s.region, 'StartSession', s.profile ?? '', JSON.stringify({ Target: s.target }), s.endpoint],
    env: { ...env, [SESSION_VARIABLE]: JSON.stringify({ SessionId: s.session.sessionId, StreamUrl: s.session.streamUrl, TokenValue: s.session.tokenValue }) },
  };
}

/** Runs the plugin on the terminal (stdin, stdout and stderr are the session's) until it exits; its exit code. */
export function runPlugin(path: string, s: PluginSession, env: NodeJS.ProcessEnv): Promise<number> {
  const { args, env: childEnv } = pluginInvocation(s, env);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: 'inherit', env: childEnv });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
