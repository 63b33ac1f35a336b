/**
 * One refresh of `tapctl status`: the credentials, who am I (STS) and the one DescribeStacks, the account check,
 * then every section at once (Promise.allSettled: a section that fails says why and the others still show).
 */
import { InterruptedError, OperationError } from '../cli/errors.js';
import type { AwsClients } from '../aws/clients.js';
import { assertAccount, callerIdentity, findCredentials, type CallerIdentity } from '../aws/identity.js';
import { describeStack, stackOutputs } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { SCHEMA_VERSION, type StatusDocument } from './schema.js';
import type { SectionContext } from './sections/section.js';
import { readStack } from './sections/stack.js';
import { assessStability } from './stability.js';

/** The first round trip (STS + CloudFormation) gets this long before status gives up. */
export const FIRST_CALL_TIMEOUT_MS = 20_000;

export interface CollectOptions {
  readonly clients: AwsClients;
  readonly env: ResolvedEnvironment;
  readonly probe: boolean;
  readonly signal: AbortSignal;
  /** Known from an earlier refresh of --watch: the account is checked once. */
  readonly identity?: CallerIdentity;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

export interface Collected {
  readonly document: StatusDocument;
  readonly identity: CallerIdentity;
}

export async function collectStatus(o: CollectOptions): Promise<Collected> {
  const { env, clients, signal } = o;
  const stackName = env.names.stack;
  if (!o.identity) {
    // The credentials first, before any SDK client loads: without them status ends here (exit 2) having loaded
    // only the SDK's credential chain. Then STS goes out alone, and CloudFormation loads while its answer travels.
    await bounded(findCredentials(clients), signal, 'checking your AWS identity');
  }
  let stsSent = (): void => undefined;
  const sent = new Promise<void>((resolve) => (stsSent = resolve));
  const identityPromise = o.identity
    ? Promise.resolve(o.identity)
    : bounded(callerIdentity(clients, { onSent: stsSent }), signal, 'checking your AWS identity');
  identityPromise.catch(() => undefined); // settled below; no unhandled rejection meanwhile
  if (!o.identity) {
    await Promise.race([sent, identityPromise.then(() => undefined, () => undefined)]);
    // The request object is made a few promise steps after the middleware: let it leave before CloudFormation's
    // client loads, which holds the thread for tens of milliseconds.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const stackPromise = bounded(describeStack(clients, stackName), signal, `reading stack ${stackName}`);
  // Each section loads its own SDK client when it runs.
  const sectionsModule = import('./sections/index.js');
  sectionsModule.catch(() => undefined);
  const [identityResult, stackResult] = await Promise.allSettled([identityPromise, stackPromise]);
  if (identityResult.status === 'rejected') throw identityResult.reason;
  const identity = identityResult.value;
  // Before anything about the stack is shown: another account's "not deployed" would be a lie.
  assertAccount(identity, env);
  if (stackResult.status === 'rejected') throw stackResult.reason;
  const stack = stackResult.value;
  if (!stack) {
    throw new OperationError(`environment '${env.name}' is not deployed: there is no stack ${stackName} in account ${env.account} (${env.region})`, {
      hint: `deploy it with: tapctl deploy --env ${env.name}`,
      code: 'not-deployed',
    });
  }

  const outputs = stackOutputs(stack);
  const c: SectionContext = { clients, env, outputs, signal };
  const { readSections } = await sectionsModule;
  const sections = await readSections(c, { probe: o.probe, ...(o.fetch ? { fetch: o.fetch } : {}) });
  if (signal.aborted) throw new InterruptedError('interrupted');
  const stackInfo = readStack(stack);

  const document: StatusDocument = {
    schemaVersion: SCHEMA_VERSION,
    ok: true,
    generatedAt: (o.now?.() ?? new Date()).toISOString(),
    environment: { name: env.name, project: env.project, account: env.account, region: env.region, stackName },
    identity: { account: identity.account, arn: identity.arn },
    summary: assessStability(stackInfo, sections.service),
    stack: stackInfo,
    endpoints: sections.endpoints,
    service: sections.service,
    targets: sections.targets,
    database: sections.database,
    alarms: sections.alarms,
    release: sections.release,
    domain: sections.domain,
    outputs,
  };
  return { document, identity };
}

/** Ctrl-C or a silent endpoint must not leave status hanging on its first round trip. */
async function bounded<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OperationError(`no answer from AWS within ${FIRST_CALL_TIMEOUT_MS / 1000} s while ${what}`, { hint: 'check your network, proxy or the environment endpoint', code: 'timeout' })),
      FIRST_CALL_TIMEOUT_MS,
    );
    onAbort = () => reject(new InterruptedError('interrupted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
