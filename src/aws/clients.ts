/**
 * One factory for every AWS SDK v3 client tapctl uses. Clients are imported lazily, so a command loads only
 * the SDK packages it calls (status never loads CloudFormation's deploy machinery, --help loads none).
 * Tests mock at the SDK boundary (aws-sdk-client-mock on these same classes), so this code runs for real.
 */
import { readSettings } from '../cli/settings.js';
import { refuseHtmlAnswers, type WithMiddleware } from './html-answers.js';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { ACMClient } from '@aws-sdk/client-acm';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { defaultProvider } from '@aws-sdk/credential-provider-node';
import { noCredentialSource, noCredentialsError } from './credential-sources.js';
import { loadSdk } from './sdk.js';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';

export interface AwsTarget {
  readonly region: string;
  /** Named profile; otherwise the SDK's default chain (env vars, AWS_PROFILE, SSO, instance role ...). */
  readonly profile?: string;
  /** Every call goes here (LocalStack-style emulators). */
  readonly endpoint?: string;
}

/** The target for an environment, with --profile winning over the config's profile. */
export function targetFor(env: { region: string; profile?: string; endpoint?: string }, profileFlag?: string): AwsTarget {
  const profile = profileFlag ?? env.profile;
  return { region: env.region, ...(profile ? { profile } : {}), ...(env.endpoint ? { endpoint: env.endpoint } : {}) };
}

/**
 * How long one AWS call may take in all: its attempts and the SDK's pauses between them together (not per
 * attempt: three attempts of 20 s each made a silent endpoint hang a command for a minute). TAPCTL_AWS_TIMEOUT_MS
 * overrides it (tests, slow links; cli/settings.ts).
 */
export function awsRequestTimeoutMs(): number {
  return readSettings(process.env).awsTimeoutMs ?? 20_000;
}

export interface AwsClientsOptions {
  /**
   * Aborts every call in flight of every client made here (Ctrl-C: ctx.signal), as if each `send` had been
   * given it as its abortSignal; the call then fails with the SDK's AbortError (explainAwsError: exit 130).
   */
  readonly signal?: AbortSignal;
}

type Send = (command: unknown, options?: unknown, callback?: unknown) => Promise<unknown>;

/**
 * Makes every `send` of `client` end within `budgetMs` in all, retries included, and when `signal` aborts. A
 * call over its budget fails with a TimeoutError that names the budget. The deadline covers the wait for an
 * answer to start: a streamed answer (Live Tail) is not cut once it has begun (the timer stops when `send`
 * resolves). The prototype's `send` is looked up at each call, so that aws-sdk-client-mock's stub on the class
 * is what runs in tests.
 */
function bounded<T extends object>(client: T, budgetMs: number, signal: AbortSignal | undefined): T {
  const proto = Object.getPrototypeOf(client) as { send: Send };
  const send: Send = (command, options, callback) => {
    // The callback form (no caller of tapctl's uses it) is passed through as it is.
    if (typeof options === 'function' || callback !== undefined) return proto.send.call(client, command, options, callback);
    const given = (options ?? {}) as { abortSignal?: AbortSignal };
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), budgetMs);
    timer.unref?.();
    const signals = [deadline.signal, ...(signal ? [signal] : []), ...(given.abortSignal ? [given.abortSignal] : [])];
    // (A test's stub may answer with a plain value: made a promise like the SDK's.)
    return Promise.resolve()
      .then(() => proto.send.call(client, command, { ...given, abortSignal: AbortSignal.any(signals) }))
      .catch((e: unknown) => {
        if (deadline.signal.aborted && !signal?.aborted && !given.abortSignal?.aborted) {
          throw Object.assign(new Error(`no answer from AWS within ${budgetMs / 1000} s (all attempts together)`), { name: 'TimeoutError', cause: e });
        }
        throw e;
      })
      .finally(() => clearTimeout(timer));
  };
  Object.defineProperty(client, 'send', { value: send, configurable: true, writable: true });
  return client;
}

type CredentialProvider = ReturnType<typeof defaultProvider>;

export class AwsClients {
  private readonly cache = new Map<string, unknown>();
  private credentialProvider?: Promise<CredentialProvider>;
  private readonly regions = new Map<string, AwsClients>();

  constructor(
    readonly target: AwsTarget,
    private readonly options: AwsClientsOptions = {},
  ) {}

  /**
   * The target's credentials, from the SDK's default chain (environment, SSO, profile, process, web identity,
   * container, instance role), resolved once for every client made here, as each client would have resolved
   * them for itself. Loads no SDK client: a command can learn that there are none (a CredentialsProviderError)
   * before it loads a client it could not use.
   */
  async credentials(): Promise<Awaited<ReturnType<CredentialProvider>>> {
    // Nothing the chain could read (no variable, no shared file, instance metadata off): its own answer, without
    // loading it (aws/credential-sources.ts).
    if (noCredentialSource(this.target)) throw noCredentialsError();
    return (await this.provider())();
  }

  private provider(): Promise<CredentialProvider> {
    this.credentialProvider ??= loadSdk('@aws-sdk/credential-provider-node').then((chain) => {
      // What a client hands its own default chain: its configuration, also as the parent of the STS/SSO clients
      // that some sources (assume-role profiles, web identity, SSO) make.
      const config = this.config;
      const provider = chain.defaultProvider({ ...config, parentClientConfig: config });
      const profile = this.target.profile ?? process.env.AWS_PROFILE;
      // A failure said as a person can act on it (a broken profile named as such: aws/credential-problem.ts).
      const explained: CredentialProvider = async (...args) => {
        try {
          return await provider(...args);
        } catch (e) {
          const { explainCredentialFailure } = await import('./credential-problem.js');
          throw await explainCredentialFailure(e, profile);
        }
      };
      return explained;
    });
    return this.credentialProvider;
  }

  private get config() {
    const { region, profile, endpoint } = this.target;
    return {
      region,
      ...(profile ? { profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      // A bounded retry budget: status and preflight should answer in seconds, not minutes. The time budget of a
      // whole call (every attempt together) is set by bounded(), below.
      maxAttempts: 3,
      // An endpoint that accepts the connection and never answers (a stalled proxy) must not hang a CI job.
      // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting. One attempt may use the
      // whole budget; bounded() stops the next one.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: awsRequestTimeoutMs(), throwOnRequestTimeout: true },
    };
  }

  private async make<T>(key: string, load: () => Promise<new (config: object) => T>, extra: object = {}): Promise<T> {
    if (!this.cache.has(key)) {
      const client = new (await load())({ ...this.config, credentials: await this.provider(), ...extra });
      refuseHtmlAnswers(client as Partial<WithMiddleware>);
      this.cache.set(key, bounded(client as object, awsRequestTimeoutMs(), this.options.signal));
    }
    return this.cache.get(key) as T;
  }

  cloudFormation(): Promise<CloudFormationClient> {
    return this.make('cfn', async () => (await loadSdk('@aws-sdk/client-cloudformation')).CloudFormationClient);
  }
  sts(): Promise<STSClient> {
    return this.make('sts', async () => (await loadSdk('@aws-sdk/client-sts')).STSClient);
  }
  ecr(): Promise<ECRClient> {
    return this.make('ecr', async () => (await loadSdk('@aws-sdk/client-ecr')).ECRClient);
  }
  ecs(): Promise<ECSClient> {
    return this.make('ecs', async () => (await loadSdk('@aws-sdk/client-ecs')).ECSClient);
  }
  rds(): Promise<RDSClient> {
    return this.make('rds', async () => (await loadSdk('@aws-sdk/client-rds')).RDSClient);
  }
  apiGateway(): Promise<APIGatewayClient> {
    return this.make('apigw', async () => (await loadSdk('@aws-sdk/client-api-gateway')).APIGatewayClient);
  }
  elbv2(): Promise<ElasticLoadBalancingV2Client> {
    return this.make('elbv2', async () => (await loadSdk('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client);
  }
  /** The CDK bootstrap version lives in an SSM parameter. */
  ssm(): Promise<SSMClient> {
    return this.make('ssm', async () => (await loadSdk('@aws-sdk/client-ssm')).SSMClient);
  }
  s3(): Promise<S3Client> {
    // Emulators serve buckets under the endpoint's path, not as <bucket>.<host> virtual hosts.
    return this.make('s3', async () => (await loadSdk('@aws-sdk/client-s3')).S3Client, this.target.endpoint ? { forcePathStyle: true } : {});
  }
  /** Availability zones of the account (preflight). */
  ec2(): Promise<EC2Client> {
    return this.make('ec2', async () => (await loadSdk('@aws-sdk/client-ec2')).EC2Client);
  }
  /** App secrets (`tapctl secrets`, deploy's check of them), leftovers a stack would collide with, retained ones after destroy. */
  secretsManager(): Promise<SecretsManagerClient> {
    return this.make('sm', async () => (await loadSdk('@aws-sdk/client-secrets-manager')).SecretsManagerClient);
  }
  cloudWatch(): Promise<CloudWatchClient> {
    return this.make('cw', async () => (await loadSdk('@aws-sdk/client-cloudwatch')).CloudWatchClient);
  }
  /**
   * Log events (logs, run) and log groups a stack would collide with (leftovers). `requestTimeout` bounds the wait for an answer to start; a Live Tail session then
   * streams its answer for hours and is not cut by it (the stream sends an update every second, even when
   * nothing is logged).
   */
  cloudWatchLogs(): Promise<CloudWatchLogsClient> {
    return this.make('logs', async () => (await loadSdk('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient);
  }
  /** Hosted zones (preflight: the domain's zone). Route 53 is global; the SDK signs for us-east-1 whatever the region. */
  route53(): Promise<Route53Client> {
    return this.make('route53', async () => (await loadSdk('@aws-sdk/client-route-53')).Route53Client);
  }
  /** Certificates (preflight and status; CloudFront's are in us-east-1: `inRegion('us-east-1').acm()`). */
  acm(): Promise<ACMClient> {
    return this.make('acm', async () => (await loadSdk('@aws-sdk/client-acm')).ACMClient);
  }
  /** The same credentials and endpoint in another region (CloudFront's certificates live in us-east-1). */
  inRegion(region: string): AwsClients {
    if (region === this.target.region) return this;
    let other = this.regions.get(region);
    if (!other) this.regions.set(region, (other = new AwsClients({ ...this.target, region }, this.options)));
    return other;
  }
  /** Account singletons (src/aws/account-singletons.ts). IAM is global; the client's region only signs. */
  iam(): Promise<IAMClient> {
    return this.make('iam', async () => (await loadSdk('@aws-sdk/client-iam')).IAMClient);
  }
  /** KMS aliases a stack is about to create (leftovers), and retained keys after destroy. */
  kms(): Promise<KMSClient> {
    return this.make('kms', async () => (await loadSdk('@aws-sdk/client-kms')).KMSClient);
  }
}
