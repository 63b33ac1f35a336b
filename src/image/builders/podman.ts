/** Podman: daemonless builds; credentials in a private --authfile, the pushed digest from --digestfile. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  commonBuildFlags,
  runStep,
  type BuildRequest,
  type BuilderDeps,
  type ImageBuilder,
  type PushRequest,
  type PushResult,
  type RegistryCredentials,
  passwordLogin,
} from '../builder.js';

/** Shared by podman and buildah, whose login and push flags are the same. */
export abstract class ContainersToolBuilder implements ImageBuilder {
  abstract readonly name: 'podman' | 'buildah';

  constructor(protected readonly deps: BuilderDeps) {}

  abstract describe(): Promise<string>;
  abstract build(request: BuildRequest): Promise<void>;

  /** Flags that go before the subcommand (buildah's storage options). */
  protected globalFlags(): string[] {
    return [];
  }

  protected tls(insecure: boolean): string[] {
    return insecure ? ['--tls-verify=false'] : [];
  }

  async login(credentials: RegistryCredentials, authDir: string, signal?: AbortSignal): Promise<void> {
    await passwordLogin(
      this.deps.spawn,
      { command: this.name, args: [...this.globalFlags(), 'login', '--authfile', authFile(authDir), ...this.tls(credentials.insecure)], env: this.deps.env },
      credentials,
      signal,
    );
  }

  async push(request: PushRequest): Promise<PushResult> {
    const digestDir = mkdtempSync(join(request.authDir, 'digest-'));
    const digestFile = join(digestDir, 'digest');
    try {
      await runStep(
        this.deps.spawn,
        {
          command: this.name,
          args: [
            ...this.globalFlags(),
            'push',
            '--authfile',
            authFile(request.authDir),
            ...this.tls(request.insecure),
            '--digestfile',
            digestFile,
            request.reference,
            `docker://${request.reference}`,
          ],
          env: this.deps.env,
          onLine: request.onLine,
          signal: request.signal,
        },
        `pushing ${request.reference}`,
        'push-failed',
      );
      let digest: string | undefined;
      try {
        digest = readFileSync(digestFile, 'utf8').trim() || undefined;
      } catch {
        digest = undefined;
      }
      return { digest };
    } finally {
      rmSync(digestDir, { recursive: true, force: true });
    }
  }
}

export function authFile(authDir: string): string {
  return join(authDir, 'auth.json');
}

export class PodmanBuilder extends ContainersToolBuilder {
  readonly name = 'podman' as const;

  async describe(): Promise<string> {
    return 'podman build';
  }

  async build(request: BuildRequest): Promise<void> {
    // Docker's format keeps HEALTHCHECK and SHELL, which the OCI format drops.
    const args = ['build', ...commonBuildFlags(request, ['--format', 'docker'])];
    await runStep(this.deps.spawn, { command: 'podman', args, env: this.deps.env, onLine: request.onLine, signal: request.signal }, 'image build');
  }
}
