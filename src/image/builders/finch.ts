/**
 * Finch (nerdctl + BuildKit in a VM). It keeps credentials in its own store, so login goes through stdin and
 * push-image logs out again afterwards.
 */
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

export class FinchBuilder implements ImageBuilder {
  readonly name = 'finch' as const;

  constructor(private readonly deps: BuilderDeps) {}

  async describe(): Promise<string> {
    return 'finch build';
  }

  async build(request: BuildRequest): Promise<void> {
    const args = ['build', ...commonBuildFlags(request)];
    await runStep(this.deps.spawn, { command: 'finch', args, env: this.deps.env, onLine: request.onLine, signal: request.signal }, 'image build');
  }

  async login(credentials: RegistryCredentials, _authDir: string, signal?: AbortSignal): Promise<void> {
    await passwordLogin(this.deps.spawn, { command: 'finch', args: ['login'], env: this.deps.env }, credentials, signal);
  }

  async push(request: PushRequest): Promise<PushResult> {
    await runStep(
      this.deps.spawn,
      {
        command: 'finch',
        args: ['push', ...(request.insecure ? ['--insecure-registry'] : []), request.reference],
        env: this.deps.env,
        onLine: request.onLine,
        signal: request.signal,
      },
      `pushing ${request.reference}`,
      'push-failed',
    );
    // nerdctl's push output names layer and index digests alike; the digest comes from the registry read-back.
    return {};
  }

  async logout(credentials: RegistryCredentials): Promise<void> {
    await this.deps.spawn({ command: 'finch', args: ['logout', credentials.registry], env: this.deps.env, timeoutMs: 30_000 });
  }
}
