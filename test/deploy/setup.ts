/** Shared fixtures of the deploy tests: one synthesized project per test file, and a run helper. */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { readStackArtifact, type StackArtifactInfo } from '../../src/deploy/assembly.js';
import { assemblyDir } from '../../src/state/work-dir.js';
import { synthesize, type SynthResult } from '../../src/synth/synthesize.js';
import { cleanEnv, runTapctl, type InProcessOptions } from '../helpers/cli.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { FakeAws } from './fake-aws.js';

export interface Fixture {
  readonly project: TempProject;
  readonly env: ResolvedEnvironment;
  readonly synth: SynthResult;
  readonly artifact: StackArtifactInfo;
  /** The synthesized template (a fresh copy each call, for tests that change it). */
  template(): Record<string, any>;
}

/** A project with `config`, its `envName` environment synthesized once into the folder deploy uses. */
export async function synthesizedProject(config: Record<string, unknown> = sampleConfig(), envName = 'dev'): Promise<Fixture> {
  const project = tempProject(config);
  const env = loadConfig(project.configPath).environments.find((e) => e.name === envName)!;
  const synth = await synthesize(env, { outDir: assemblyDir(project.dir, envName) });
  const artifact = readStackArtifact(synth);
  const text = readFileSync(synth.templatePath, 'utf8');
  return { project, env, synth, artifact, template: () => JSON.parse(text) };
}

/** Points the fake at the fixture: the stack name, account and what the next change set carries. */
export function aimFake(fake: FakeAws, f: Fixture): void {
  fake.stackName = f.env.names.stack;
  fake.account = f.env.account;
  fake.region = f.env.region;
  fake.nextTemplate = f.template();
  fake.nextTags = { ...f.artifact.tags };
  fake.nextTerminationProtection = f.artifact.terminationProtection;
}

/** Dummy credentials (toolkit-lib loads credentials before any call) and fast polling. */
export const testEnv = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake', TAPCTL_POLL_INTERVAL_MS: '5', ...extra });

export function tapctl(f: Fixture, argv: string[], options: Partial<InProcessOptions> = {}) {
  return runTapctl(argv, { cwd: f.project.dir, env: testEnv(), ...options });
}

/** The first resource of `type` in a template. */
export function logicalIdOf(template: Record<string, any>, type: string): string {
  const found = Object.entries(template.Resources as Record<string, { Type: string }>).find(([, r]) => r.Type === type);
  if (!found) throw new Error(`no ${type} in the template`);
  return found[0];
}

/**
 * The lifecycle every deploy test file shares: one synthesized project per file, a fresh fake AWS per test.
 * `bind` hands both to the file's own variables; `prepare` sets the fake up before each test (e.g. deployedAsIs).
 */
export function useFakeAws(bind: (fixture: Fixture, fake: FakeAws) => void, prepare?: (fake: FakeAws) => void): void {
  let fixture: Fixture;
  let fake: FakeAws;
  beforeAll(async () => {
    fixture = await synthesizedProject();
  });
  afterAll(() => fixture.project.cleanup());
  beforeEach(() => {
    fake = new FakeAws();
    aimFake(fake, fixture);
    prepare?.(fake);
    bind(fixture, fake);
  });
  afterEach(() => fake.restore());
}

/**
 * The fixture's template synthesized with `image` as the service's image (into its own folder, so the
 * fixture's cloud assembly stays as it is): what a stack deployed with that image holds.
 */
export async function templateWithImage(f: Fixture, image: { repository?: string; tag?: string; digest?: string }): Promise<Record<string, any>> {
  const { withImage } = await import('../../src/release/running-image.js');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const synth = await synthesize(withImage(f.env, image), { outDir: join(mkdtempSync(join(tmpdir(), 'tapctl-image-')), 'cdk.out') });
  return JSON.parse(readFileSync(synth.templatePath, 'utf8'));
}

/** A deployed stack running `template` that the next deploy would deploy unchanged. */
export function deployedWith(fake: FakeAws, template: Record<string, any>): void {
  fake.nextTemplate = template;
  fake.deployedAsIs();
}
