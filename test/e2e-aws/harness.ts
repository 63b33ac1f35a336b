/**
 * The e2e-aws harness: a scenario gets a project folder made by `tapctl init`, its environment pointed at the
 * emulator (endpoint + registryEndpoint), the variables a user would export, a `tapctl(...)` runner that spawns
 * the built binary without a terminal, and SDK clients against the emulator to check what really happened.
 *
 * A new scenario file:
 *
 *   e2eSuite(import.meta.url, 'what it shows', () => {
 *     let s: Scenario;
 *     beforeAll(async () => { await resetEmulator(); s = await Scenario.init(); await s.tapctl(['bootstrap', '--env', 'dev']); });
 *     it('...', async () => { const r = await s.tapctl(['deploy', '--env', 'dev', '--yes']); expect(r.code, r.output).toBe(0); ... });
 *   });
 *
 * Emulator limits (../shared/emulator/README.md) are written next to the scenario that works around them.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, ListChangeSetsCommand, ListStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DescribeManagedPrefixListsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { parseDocument } from 'yaml';
import { cleanEnv, spawnTapctl } from '../helpers/cli.js';
import type { EmulatorInfo } from './emulator-info.js';

/** The emulator answers every call as this account (moto's default), whatever the credentials. */
export const EMULATED_ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** What the emulated ECR's GetAuthorizationToken decodes to, and the registry's htpasswd user. */
export const REGISTRY_USER = 'AWS';
export const REGISTRY_PASSWORD = '123456789012-auth-token';

const provided = inject('e2eAws');
const info: EmulatorInfo | undefined = 'skip' in provided ? undefined : provided;

/** The running emulator; only call it inside tests and hooks (a skipped suite never runs them). */
export function emulator(): EmulatorInfo {
  if (!info) throw new Error('the e2e-aws emulator is not running');
  return info;
}

/**
 * One describe per scenario file, skipped when the global setup could not start the emulator (it printed why
 * in one line). Records the file's start and end for the tier's wall time.
 */
export function e2eSuite(fileUrl: string, name: string, body: () => void): void {
  const file = basename(fileURLToPath(fileUrl));
  describe.skipIf(!info)(name, () => {
    beforeAll(() => mark('start', file));
    afterAll(() => mark('end', file));
    body();
  });
}

function mark(kind: 'start' | 'end', file: string): void {
  appendFileSync(join(emulator().home, 'timings.log'), `${kind} ${file} ${Date.now()}\n`);
}

const run = promisify(execFile);

/** `emu.sh reset`: forgets every AWS resource (the registry keeps its blobs; scenarios use their own tags). */
export async function resetEmulator(): Promise<void> {
  const emu = emulator();
  await run('bash', [emu.emuSh, 'reset'], {
    env: { ...process.env, EMU_AWS_PORT: String(emu.awsPort), EMU_REGISTRY_PORT: String(emu.registryPort), EMU_HOME: emu.home },
    timeout: 60_000,
  });
}

export interface TapctlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr, for assertion messages. */
  readonly output: string;
  /** The --json result: the whole stdout as one document, else its last NDJSON line. */
  readonly result: Record<string, any> | undefined;
}

export interface ScenarioOptions {
  /** The account the config names (default: the emulator's, so the account check passes). */
  readonly account?: string;
  /** dev keeps its data on destroy (protection.retainData), so destroy has a retained list to show. */
  readonly retainData?: boolean;
}

/** A project folder and everything a user would have set up to run tapctl against the emulator. */
export class Scenario {
  readonly aws: EmulatedAws;
  /** The environment a user would export: credentials for the emulator, buildah's daemonless settings. */
  readonly env: NodeJS.ProcessEnv;

  /** What `tapctl init` printed when the scenario was made. */
  initRun!: TapctlRun;

  private constructor(readonly dir: string) {
    const emu = emulator();
    this.aws = new EmulatedAws(emu.awsEndpoint);
    this.env = cleanEnv({
      // moto accepts any credentials; they must exist, since the SDK and toolkit-lib load them first.
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      // buildah without a daemon or root-owned shared storage: vfs in a store of the tier's own, chroot isolation.
      CONTAINERS_STORAGE_CONF: buildahStorage(emu.home),
      STORAGE_DRIVER: 'vfs',
      BUILDAH_ISOLATION: 'chroot',
      // Every stack operation in the emulator completes at once: poll it often.
      TAPCTL_POLL_INTERVAL_MS: '250',
    });
  }

  /**
   * `tapctl init` as a user runs it (environment dev), then dev pointed at the emulator: `endpoint:` for the AWS
   * API and `registryEndpoint:` for the registry that stands in for ECR's host. The Dockerfile init writes starts
   * FROM node:22-alpine, which this offline machine cannot pull: the scenario's builds use FROM scratch.
   */
  static async init(options: ScenarioOptions = {}): Promise<Scenario> {
    const dir = mkdtempSync(join(process.env.TAPCTL_TEST_TMPDIR ?? tmpdir(), 'e2e-aws-'));
    const scenario = new Scenario(dir);
    scenario.initRun = await scenario.tapctl(['init', '--project', 'shop', '--account', options.account ?? EMULATED_ACCOUNT, '--email', 'ops@shop.test', '--envs', 'dev', '--yes']);
    if (scenario.initRun.code !== 0) throw new Error(`tapctl init failed:\n${scenario.initRun.output}`);
    const emu = emulator();
    scenario.editConfig((doc) => {
      doc.setIn(['environments', 'dev', 'endpoint'], emu.awsEndpoint);
      doc.setIn(['environments', 'dev', 'registryEndpoint'], emu.registryEndpoint);
      if (options.retainData) doc.setIn(['environments', 'dev', 'protection'], doc.createNode({ retainData: true }));
    });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY app/server.js /app/server.js\n');
    return scenario;
  }

  /** Spawns bin/tapctl.cjs in the project folder, no terminal (like CI), stdin closed. */
  async tapctl(args: readonly string[], options: { input?: string } = {}): Promise<TapctlRun> {
    // Far above any step's real duration (seconds), below the test timeout so a hang shows its output.
    const r = await spawnTapctl([...args], { cwd: this.dir, env: this.env, timeoutMs: 150_000, ...(options.input ? { input: options.input } : {}) });
    return { ...r, output: `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`, result: parseResult(r.stdout) };
  }

  /** Edits tapctl.config.yaml as a person would (comments kept). */
  editConfig(edit: (doc: ReturnType<typeof parseDocument>) => void): void {
    const path = join(this.dir, 'tapctl.config.yaml');
    const doc = parseDocument(readFileSync(path, 'utf8'));
    edit(doc);
    writeFileSync(path, doc.toString());
  }

  /** The release the ledger says this environment runs next (SSM `/tapctl/<project>/<env>/current`). */
  async currentRelease(envName = 'dev', project = 'shop'): Promise<Record<string, any> | undefined> {
    try {
      const out = await this.aws.ssm.send(new GetParameterCommand({ Name: `/tapctl/${project}/${envName}/current` }));
      return (JSON.parse(out.Parameter?.Value ?? '{}') as { release?: Record<string, any> }).release;
    } catch (e) {
      if ((e as Error).name === 'ParameterNotFound') return undefined;
      throw e;
    }
  }
}

function parseResult(stdout: string): Record<string, any> | undefined {
  const text = stdout.trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    try {
      return JSON.parse(text.split('\n').at(-1)!) as Record<string, any>;
    } catch {
      return undefined;
    }
  }
}

function buildahStorage(home: string): string {
  const conf = join(home, 'buildah', 'storage.conf');
  if (!existsSync(conf)) {
    mkdirSync(join(home, 'buildah'), { recursive: true });
    writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${join(home, 'buildah', 'root')}"\nrunroot = "${join(home, 'buildah', 'run')}"\n`);
  }
  return conf;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DeletionPolicy?: string;
}

/** SDK clients against the emulator, for assertions on what tapctl really did. */
export class EmulatedAws {
  readonly cfn: CloudFormationClient;
  readonly ecr: ECRClient;
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;

  constructor(endpoint: string) {
    const config = { endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 2 };
    this.cfn = new CloudFormationClient(config);
    this.ecr = new ECRClient(config);
    this.ssm = new SSMClient(config);
    this.ec2 = new EC2Client(config);
    this.elbv2 = new ElasticLoadBalancingV2Client(config);
  }

  /** The stack, or undefined when there is none (never created, or deleted). */
  async stack(name: string): Promise<Stack | undefined> {
    try {
      const stack = (await this.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
      return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
    } catch (e) {
      if ((e as Error).name === 'ValidationError') return undefined;
      throw e;
    }
  }

  /** Names of every stack that is not deleted. */
  async stackNames(): Promise<string[]> {
    const out = await this.cfn.send(new ListStacksCommand({}));
    return (out.StackSummaries ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName!);
  }

  async outputs(name: string): Promise<Record<string, string>> {
    const stack = await this.stack(name);
    return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  }

  /** The template CloudFormation holds for the stack: what was really deployed. */
  async template(name: string): Promise<Record<string, TemplateResource>> {
    const body = (await this.cfn.send(new GetTemplateCommand({ StackName: name }))).TemplateBody ?? '{}';
    return (JSON.parse(body) as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
  }

  /** The single resource of `type` in the deployed template. */
  async resource(name: string, type: string): Promise<TemplateResource> {
    const found = Object.values(await this.template(name)).filter((r) => r.Type === type);
    if (found.length !== 1) throw new Error(`expected one ${type} in ${name}, found ${found.length}`);
    return found[0];
  }

  /**
   * Every change set the emulator knows for the stack, by ID. Emulator: it keeps executed change sets (AWS
   * drops them) and ignores ListChangeSets' StackName filter, hence the filter here.
   */
  async changeSetIds(name: string): Promise<string[]> {
    const out = await this.cfn.send(new ListChangeSetsCommand({ StackName: name }));
    return (out.Summaries ?? []).filter((s) => s.StackName === name).map((s) => s.ChangeSetId!).sort();
  }

  /** The region's CloudFront origin-facing prefix list, as the emulator has it (its ID is its own). */
  async cloudFrontPrefixListId(): Promise<string | undefined> {
    const out = await this.ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] }));
    return out.PrefixLists?.[0]?.PrefixListId;
  }

  async repositoryNames(): Promise<string[]> {
    const out = await this.ecr.send(new DescribeRepositoriesCommand({}));
    return (out.repositories ?? []).map((r) => r.repositoryName!).sort();
  }

  async images(repositoryName: string): Promise<ImageDetail[]> {
    return (await this.ecr.send(new DescribeImagesCommand({ repositoryName }))).imageDetails ?? [];
  }
}

/** HEAD of a manifest in the real registry: the digest it holds for a tag (undefined: no such tag). */
export async function registryDigest(repository: string, tag: string): Promise<string | undefined> {
  const accept = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'].join(', ');
  const authorization = `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}`;
  const response = await fetch(`${emulator().registryEndpoint}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { accept, authorization } });
  return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

/** CloudFormation's template value for the task's image, flattened (the repository part is Fn::Join'ed). */
export function imageOf(taskDefinition: TemplateResource): string {
  const image = taskDefinition.Properties?.ContainerDefinitions?.[0]?.Image;
  return typeof image === 'string' ? image : JSON.stringify(image);
}
