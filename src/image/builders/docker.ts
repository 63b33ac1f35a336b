/**
 * Docker: `docker buildx build --load` when the buildx plugin is there, the classic `docker build` otherwise.
 * Credentials live in a private DOCKER_CONFIG used only by login and push, so the user's own config (credential
 * helpers, buildx builders, plugins) serves the build and is never written to.
 */
import { UsageError } from '../../cli/errors.js';
import {
  commonBuildFlags,
  findDigest,
  runStep,
  secretFlags,
  type BuildRequest,
  type BuilderDeps,
  type ImageBuilder,
  type PushRequest,
  type PushResult,
  type RegistryCredentials,
  passwordLogin,
} from '../builder.js';

export class DockerBuilder implements ImageBuilder {
  readonly name = 'docker' as const;
  private buildx?: boolean;

  constructor(private readonly deps: BuilderDeps) {}

  private async hasBuildx(): Promise<boolean> {
    if (this.buildx === undefined) {
      const r = await this.deps.spawn({ command: 'docker', args: ['buildx', 'version'], env: this.deps.env, timeoutMs: 15_000 });
      this.buildx = r.code === 0;
    }
    return this.buildx;
  }

  async describe(): Promise<string> {
    return (await this.hasBuildx()) ? 'docker buildx' : 'docker build';
  }

  async build(request: BuildRequest): Promise<void> {
    const buildx = await this.hasBuildx();
    const secrets = secretFlags(request.secrets);
    if (!buildx && secrets.length > 0) {
      throw new UsageError('build secrets need BuildKit, and this docker has no buildx plugin', {
        hint: 'install docker buildx, or use --builder podman / buildah',
      });
    }
    const args = [...(buildx ? ['buildx', 'build', '--load', '--progress', 'plain'] : ['build']), ...commonBuildFlags(request)];
    await runStep(
      this.deps.spawn,
      { command: 'docker', args, env: this.deps.env, onLine: request.onLine, signal: request.signal },
      'image build',
    );
  }

  async login(credentials: RegistryCredentials, authDir: string, signal?: AbortSignal): Promise<void> {
    await passwordLogin(this.deps.spawn, { command: 'docker', args: ['login'], env: { ...this.deps.env, DOCKER_CONFIG: authDir } }, credentials, signal);
  }

  async push(request: PushRequest): Promise<PushResult> {
    // An http:// registry must be in the engine's insecure-registries (127.0.0.0/8 is by default): docker push
    // has no per-command switch for it.
    const result = await runStep(
      this.deps.spawn,
      { command: 'docker', args: ['push', request.reference], env: { ...this.deps.env, DOCKER_CONFIG: request.authDir }, onLine: request.onLine, signal: request.signal },
      `pushing ${request.reference}`,
      'push-failed',
    );
    return { digest: findDigest(result.stdout) };
  }
}
