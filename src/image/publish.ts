/**
 * Build, log in, push, read back: the image half of push-image, with no knowledge of commands or stacks.
 * The registry password exists only in memory, on the login's stdin and in a private auth folder that is
 * removed before this returns.
 */
import type { AwsClients } from '../aws/clients.js';
import { registryCredentials, type EcrCredentials, type RepositoryRef, type RetryOptions } from '../aws/ecr.js';
import { OperationError } from '../cli/errors.js';
import type { IoHost } from '../cli/io-host.js';
import { lockDown, withPrivateDir } from './auth-dir.js';
import type { BuildSecretSource, ImageBuilder } from './builder.js';
import { logSink } from './build-log.js';
import { emulatedCredentials, emulatedRepository, registerInEcr } from './emulated-registry.js';
import type { Platform } from './platform.js';
import type { Redactor } from './redact.js';
import type { Fetch } from './registry-api.js';
import type { ImageTags } from './tag.js';
import { readBackImage, type PushedImageFacts } from './verify.js';

export interface PublishRequest {
  readonly io: IoHost;
  readonly clients: AwsClients;
  readonly builder: ImageBuilder;
  /** Learns the registry password as soon as it exists, so no builder output can show it. */
  readonly redactor: Redactor;
  readonly repository: RepositoryRef;
  readonly tags: ImageTags;
  readonly platform: Platform;
  readonly contextDir: string;
  readonly dockerfile: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, BuildSecretSource>>;
  readonly signal?: AbortSignal;
  readonly fetch?: Fetch;
  readonly retry?: RetryOptions;
  /**
   * An emulated environment's registry (config registryEndpoint): the push goes there instead of ECR's host,
   * and the pushed manifests are registered in the emulated ECR (see emulated-registry.ts for which read uses
   * which).
   */
  readonly registryEndpoint?: string;
}

export interface PublishResult extends PushedImageFacts {
  readonly repositoryUri: string;
  readonly tag: string;
  readonly tags: readonly string[];
  readonly buildMs: number;
  readonly pushMs: number;
}

export async function publishImage(request: PublishRequest): Promise<PublishResult> {
  const { io, builder, repository, tags, platform, registryEndpoint } = request;
  // The stack's ECR URI stays what is recorded and deployed; only the bytes go to the emulated registry.
  const pushTo = registryEndpoint ? emulatedRepository(repository, registryEndpoint) : repository;
  if (registryEndpoint) io.info(`emulated environment: pushing to ${pushTo.registry} in place of ${repository.registry}`);
  const references = tags.all.map((t) => `${pushTo.uri}:${t}`);

  io.info(`building ${references[0]} for ${platform.id} with ${await builder.describe()}`);
  const buildStart = Date.now();
  const buildLog = logSink(io, 'building');
  await builder.build({
    contextDir: request.contextDir,
    dockerfile: request.dockerfile,
    platform: platform.id,
    tags: references,
    buildArgs: request.buildArgs,
    secrets: request.secrets,
    onLine: buildLog.onLine,
    signal: request.signal,
  });
  const buildMs = Date.now() - buildStart;
  io.success(`built in ${(buildMs / 1000).toFixed(1)}s`);

  const ecrCredentials = await registryCredentials(request.clients);
  request.redactor.add(ecrCredentials.password);
  request.redactor.add(Buffer.from(`${ecrCredentials.username}:${ecrCredentials.password}`).toString('base64'));
  checkSameRegistry(repository, ecrCredentials);
  const credentials = registryEndpoint ? emulatedCredentials(ecrCredentials, registryEndpoint) : ecrCredentials;

  const pushStart = Date.now();
  const builderDigest = await withPrivateDir(async (authDir) => {
    const login = { registry: credentials.registry, username: credentials.username, password: credentials.password, insecure: credentials.insecure };
    await builder.login(login, authDir, request.signal);
    lockDown(authDir);
    try {
      let primaryDigest: string | undefined;
      for (const reference of references) {
        io.info(`pushing ${reference}`);
        const pushed = await builder.push({
          reference,
          insecure: credentials.insecure,
          authDir,
          onLine: logSink(io, 'pushing').onLine,
          signal: request.signal,
        });
        primaryDigest ??= pushed.digest;
      }
      return primaryDigest;
    } finally {
      await builder.logout?.(login);
    }
  });
  // An emulated ECR only knows the image once told: register what the registry holds, then read back from both.
  const pushedDigest = registryEndpoint
    ? await registerInEcr(request.clients, {
        credentials,
        repositoryName: repository.name,
        tags: tags.all,
        ...(builderDigest ? { builderDigest } : {}),
        ...(request.fetch ? { fetch: request.fetch } : {}),
        signal: request.signal,
      })
    : builderDigest;
  const pushMs = Date.now() - pushStart;

  const facts = await readBackImage(request.clients, {
    repository,
    tag: tags.primary,
    platform,
    credentials,
    ...(pushedDigest ? { builderDigest: pushedDigest } : {}),
    ...(request.fetch ? { fetch: request.fetch } : {}),
    ...(request.retry ? { retry: request.retry } : {}),
    signal: request.signal,
  });
  return { ...facts, repositoryUri: repository.uri, tag: tags.primary, tags: tags.all, buildMs, pushMs };
}

/** The token is for the caller's own registry; a repository elsewhere would need another token. */
function checkSameRegistry(repository: RepositoryRef, credentials: EcrCredentials): void {
  if (repository.registry !== credentials.registry) {
    throw new OperationError(
      `the stack's repository is in registry ${repository.registry}, but the ECR token is for ${credentials.registry}`,
      { code: 'registry-mismatch', hint: "use credentials of the environment's account and region" },
    );
  }
}
