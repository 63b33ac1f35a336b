/**
 * SSM Parameter Store behind aws-sdk-client-mock, with the semantics the release ledger depends on: versions,
 * LastModifiedDate, PutParameter without Overwrite answering ParameterAlreadyExists, GetParameters reporting
 * missing names as InvalidParameters, GetParametersByPath in pages of at most 10, DeleteParameters of at most
 * 10 names. `deny` makes an action answer AccessDeniedException like IAM does.
 */
import {
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface StoredParameter {
  value: string;
  version: number;
  modified: Date;
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

export class FakeParameterStore {
  readonly params = new Map<string, StoredParameter>();
  /** Actions (`PutParameter` ...) that answer AccessDenied. */
  readonly deny = new Set<string>();
  /** Called before each PutParameter is applied (a racing writer can slip in here). */
  beforePut?: (name: string) => void;
  private clock = Date.UTC(2026, 10, 20, 10, 0, 0);

  constructor(
    readonly account = '111111111111',
    readonly region = 'us-east-1',
  ) {}

  /** Writes a parameter directly, as another machine would. */
  set(name: string, value: string | object): void {
    const old = this.params.get(name);
    this.clock += 1000;
    this.params.set(name, { value: typeof value === 'string' ? value : JSON.stringify(value), version: (old?.version ?? 0) + 1, modified: new Date(this.clock) });
  }

  get(name: string): unknown {
    const p = this.params.get(name);
    return p ? JSON.parse(p.value) : undefined;
  }

  names(prefix = ''): string[] {
    return [...this.params.keys()].filter((n) => n.startsWith(prefix)).sort();
  }

  private check(action: string, name: string): void {
    if (this.deny.has(action)) {
      throw awsError('AccessDeniedException', `User: arn:aws:iam::${this.account}:user/ci is not authorized to perform: ssm:${action} on resource: arn:aws:ssm:${this.region}:${this.account}:parameter${name} because no identity-based policy allows the ssm:${action} action`);
    }
  }

  private describe(name: string) {
    const p = this.params.get(name)!;
    return { Name: name, Type: 'String', Value: p.value, Version: p.version, LastModifiedDate: p.modified, ARN: `arn:aws:ssm:${this.region}:${this.account}:parameter${name}`, DataType: 'text' };
  }

  install(ssm: AwsClientStub<SSMClient>, fallback?: (name: string) => unknown): void {
    ssm.on(GetParameterCommand).callsFake((i: { Name: string }) => {
      this.check('GetParameter', i.Name);
      if (fallback && !this.params.has(i.Name)) {
        const answer = fallback(i.Name);
        if (answer !== undefined) return answer;
      }
      if (!this.params.has(i.Name)) throw awsError('ParameterNotFound', `Parameter ${i.Name} not found.`);
      return { Parameter: this.describe(i.Name) };
    });
    ssm.on(GetParametersCommand).callsFake((i: { Names: string[] }) => {
      this.check('GetParameters', i.Names[0] ?? '');
      if (i.Names.length > 10) throw awsError('ValidationException', 'Member must have length less than or equal to 10');
      return { Parameters: i.Names.filter((n) => this.params.has(n)).map((n) => this.describe(n)), InvalidParameters: i.Names.filter((n) => !this.params.has(n)) };
    });
    ssm.on(GetParametersByPathCommand).callsFake((i: { Path: string; MaxResults?: number; NextToken?: string; Recursive?: boolean }) => {
      this.check('GetParametersByPath', i.Path);
      const max = i.MaxResults ?? 10;
      if (max > 10) throw awsError('ValidationException', 'MaxResults must be less than or equal to 10');
      const base = i.Path.endsWith('/') ? i.Path : `${i.Path}/`;
      const all = this.names(base).filter((n) => i.Recursive || !n.slice(base.length).includes('/'));
      const start = Number(i.NextToken ?? 0);
      const page = all.slice(start, start + max);
      return { Parameters: page.map((n) => this.describe(n)), ...(start + max < all.length ? { NextToken: String(start + max) } : {}) };
    });
    ssm.on(PutParameterCommand).callsFake((i: { Name: string; Value: string; Overwrite?: boolean }) => {
      this.check('PutParameter', i.Name);
      this.beforePut?.(i.Name);
      if (Buffer.byteLength(i.Value) > 4096) throw awsError('ValidationException', 'Standard tier parameters support a maximum parameter value of 4096 characters.');
      if (this.params.has(i.Name) && !i.Overwrite) throw awsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
      this.set(i.Name, i.Value);
      return { Version: this.params.get(i.Name)!.version, Tier: 'Standard' };
    });
    ssm.on(DeleteParametersCommand).callsFake((i: { Names: string[] }) => {
      this.check('DeleteParameters', i.Names[0] ?? '');
      if (i.Names.length > 10) throw awsError('ValidationException', 'Member must have length less than or equal to 10');
      const deleted = i.Names.filter((n) => this.params.delete(n));
      return { DeletedParameters: deleted, InvalidParameters: i.Names.filter((n) => !deleted.includes(n)) };
    });
  }
}

/** A release record as the ledger stores it, with sensible defaults. */
export function releaseRecord(id: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const digit = String(id % 10);
  return {
    v: 1,
    id: String(id).padStart(6, '0'),
    image: { repository: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag: `v${id}`, digest: `sha256:${digit.repeat(64)}` },
    platform: 'linux/amd64',
    git: { commit: `abc${id}`, dirty: false },
    by: { arn: 'arn:aws:sts::111111111111:assumed-role/dev/alice' },
    at: new Date(Date.UTC(2026, 10, 1, 10, id)).toISOString(),
    tapctlVersion: '0.1.0',
    configFingerprint: 'f'.repeat(64),
    outcome: 'deployed',
    source: 'push-image',
    ...over,
  };
}

/** Puts releases (and optionally the current pointer) into the store under shop/dev. */
export function seedLedger(store: FakeParameterStore, records: Array<Record<string, unknown>>, current?: Record<string, unknown>, prefix = '/tapctl/shop/dev/'): void {
  for (const r of records) store.set(`${prefix}releases/${r.id as string}`, r);
  if (current) store.set(`${prefix}current`, { v: 1, release: current, at: new Date().toISOString(), by: 'arn:aws:sts::111111111111:assumed-role/dev/alice' });
}
