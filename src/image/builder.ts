/**
 * One interface over the container builders push-image can drive: docker (buildx when present), podman,
 * buildah and finch. A builder builds a local image, logs in to a registry with credentials kept in a private
 * folder (or on stdin), and pushes. It never sees a secret value in argv: build secrets are named by the
 * environment variable that holds them, passwords travel on stdin.
 */
import { InterruptedError, OperationError } from '../cli/errors.js';
import { formatCommand, type Spawn, type SpawnRequest, type SpawnResult } from './exec.js';

export const BUILDER_NAMES = ['docker', 'podman', 'buildah', 'finch'] as const;
export type BuilderName = (typeof BUILDER_NAMES)[number];

export interface BuildRequest {
  /** Absolute path of the build context. */
  readonly contextDir: string;
  /** Absolute path of the Dockerfile. */
  readonly dockerfile: string;
  /** linux/amd64 or linux/arm64: always explicit, so an image built on Apple Silicon runs on x86 Fargate. */
  readonly platform: string;
  /** Full references (`registry/repo:tag`) the local image gets. */
  readonly tags: readonly string[];
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Build secret id -> where the builder reads it: never the value itself, so it never reaches argv. */
  readonly secrets: Readonly<Record<string, BuildSecretSource>>;
  /** Each build log line, as it arrives (already redacted by the caller's spawn). */
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Where the builder reads a build secret: an environment variable it inherits (by name) or a file (absolute
 * path). BuildKit, podman and buildah all take `--secret id=<id>,env=<VAR>` and `--secret id=<id>,src=<path>`.
 */
export type BuildSecretSource = { readonly env: string } | { readonly file: string };

export interface RegistryCredentials {
  /** host[:port], no scheme: what `login` and image references use. */
  readonly registry: string;
  readonly username: string;
  readonly password: string;
  /** The registry speaks plain HTTP (a local test registry): TLS verification must be off for it. */
  readonly insecure: boolean;
}

export interface PushRequest {
  /** `registry/repo:tag`, already built and tagged locally. */
  readonly reference: string;
  readonly insecure: boolean;
  /** Private folder (0700) holding this run's registry credentials; removed by the caller afterwards. */
  readonly authDir: string;
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface PushResult {
  /** The manifest digest the builder reports, when it reports one (buildah/podman --digestfile, docker's output). */
  readonly digest?: string;
}

export interface ImageBuilder {
  readonly name: BuilderName;
  /** What runs the build, for messages: "docker buildx", "buildah (chroot isolation)" ... */
  describe(): Promise<string>;
  build(request: BuildRequest): Promise<void>;
  /** Stores credentials for `credentials.registry` in `authDir` (or the builder's own store), password on stdin. */
  login(credentials: RegistryCredentials, authDir: string, signal?: AbortSignal): Promise<void>;
  push(request: PushRequest): Promise<PushResult>;
  /** Forgets credentials kept outside `authDir` (finch keeps them in its own store). */
  logout?(credentials: RegistryCredentials): Promise<void>;
}

/** What every builder is made with: the process seam and the environment children inherit. */
export interface BuilderDeps {
  readonly spawn: Spawn;
  /** The environment children inherit: the user's, so build secrets' variables and PATH are there. */
  readonly env: NodeJS.ProcessEnv;
}

/** `--build-arg K=V` pairs (plain values: rule B1 keeps secret-looking ones out of buildArgs). */
export function buildArgFlags(args: Readonly<Record<string, string>>): string[] {
  return Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
}

/** `--secret id=<id>,env=<VAR>` or `id=<id>,src=<file>`: the builder reads the value itself, never from argv. */
export function secretFlags(secrets: Readonly<Record<string, BuildSecretSource>>): string[] {
  return Object.entries(secrets).flatMap(([id, source]) => ['--secret', 'env' in source ? `id=${id},env=${source.env}` : `id=${id},src=${source.file}`]);
}

export function tagFlags(tags: readonly string[]): string[] {
  return tags.flatMap((t) => ['-t', t]);
}

/**
 * The build flags every builder shares, in one order: the explicit platform (so an image built on Apple Silicon
 * runs on Fargate), the Dockerfile, tags, build args, secrets by reference, and last the context folder.
 */
export function commonBuildFlags(request: BuildRequest, extra: readonly string[] = []): string[] {
  return [
    '--platform',
    request.platform,
    ...extra,
    '-f',
    request.dockerfile,
    ...tagFlags(request.tags),
    ...buildArgFlags(request.buildArgs),
    ...secretFlags(request.secrets),
    request.contextDir,
  ];
}

/**
 * `<command> <flags...> login ... --username U --password-stdin <registry>`: the one way every builder logs in, so
 * the registry password only ever travels on stdin (never argv, never the environment).
 */
export function passwordLogin(
  spawn: Spawn,
  login: { command: string; args: readonly string[]; env: NodeJS.ProcessEnv },
  credentials: RegistryCredentials,
  signal?: AbortSignal,
): Promise<SpawnResult> {
  return runStep(
    spawn,
    {
      command: login.command,
      args: [...login.args, '--username', credentials.username, '--password-stdin', credentials.registry],
      env: login.env,
      input: credentials.password,
      signal,
    },
    `logging in to ${credentials.registry}`,
    'login-failed',
  );
}

/** How many log lines a failure shows. */
export const FAILURE_TAIL_LINES = 15;

/** Runs a builder step; a non-zero exit becomes an OperationError (exit 1) with the last lines of its log. */
export async function runStep(spawn: Spawn, request: SpawnRequest, what: string, code = 'build-failed'): Promise<SpawnResult> {
  const result = await spawn(request);
  if (result.code === 0) return result;
  if (request.signal?.aborted) throw new InterruptedError(`interrupted: ${what} was stopped`);
  if (result.error && /ENOENT/.test(String((result.error as NodeJS.ErrnoException).code ?? result.error.message))) {
    throw new OperationError(`${what} failed: ${request.command} is not installed or not on PATH`, { code, cause: result.error });
  }
  const lines = result.tail.slice(-FAILURE_TAIL_LINES);
  const log = lines.length ? `\n  ${lines.map((l) => `│ ${l}`).join('\n  ')}` : '';
  throw new OperationError(`${what} failed (${request.command} exited with ${result.code})${log}`, {
    code,
    hint: `the command was: ${formatCommand(request.command, request.args)}`,
    details: { command: request.command, args: request.args, exitCode: result.code, lastLines: lines },
  });
}

/** The manifest digest in `docker push` output (`<tag>: digest: sha256:... size: N`). */
export function findDigest(text: string): string | undefined {
  return /digest: (sha256:[a-f0-9]{64})/.exec(text)?.[1];
}
