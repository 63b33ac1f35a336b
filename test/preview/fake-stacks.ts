/**
 * An account's CloudFormation stacks and STS identity behind aws-sdk-client-mock, for the preview tests: many
 * stacks with tags, listed by DescribeStacks in pages of two (so paging is exercised), described by name or ARN.
 * Deletion is not modelled here: sweep's choices are tested through its destroy seam, and one test per path
 * runs the real destroy against test/deploy/fake-aws.ts.
 */
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { previewStackTags } from '../../src/preview/tags.js';
import type { PreviewRecord } from '../../src/preview/record.js';
import { DEV_ACCOUNT } from '../helpers/project.js';

export interface FakeStackEntry {
  name: string;
  account: string;
  region: string;
  status: string;
  tags: Record<string, string>;
  id: string;
}

export const HOUR = 3_600_000;
export const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

/** A preview record of project shop, built from dev, that expires `expiresInMs` after NOW. */
export function record(name: string, expiresInMs: number, extra: Partial<PreviewRecord> = {}): PreviewRecord {
  return {
    name,
    source: 'dev',
    creator: 'arn:aws:iam::111111111111:user/ci',
    createdAt: new Date(NOW - 5 * HOUR).toISOString(),
    expiresAt: new Date(NOW + expiresInMs).toISOString(),
    ...extra,
  };
}

export class FakeStacks {
  readonly stacks: FakeStackEntry[] = [];
  /** The account GetCallerIdentity answers (the credentials'). */
  callerAccount = DEV_ACCOUNT;
  readonly cfn: AwsClientStub<CloudFormationClient> = mockClient(CloudFormationClient);
  readonly sts: AwsClientStub<STSClient> = mockClient(STSClient);
  private seq = 0;

  constructor() {
    this.sts.on(GetCallerIdentityCommand).callsFake(() => ({ Account: this.callerAccount, Arn: `arn:aws:iam::${this.callerAccount}:user/ci`, UserId: 'AIDA' }));
    this.cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string; NextToken?: string }) => this.describe(input));
  }

  /** A stack of any kind. */
  add(name: string, tags: Record<string, string>, options: Partial<Pick<FakeStackEntry, 'account' | 'region' | 'status'>> = {}): FakeStackEntry {
    const account = options.account ?? DEV_ACCOUNT;
    const region = options.region ?? 'us-east-1';
    const entry = { name, account, region, status: options.status ?? 'CREATE_COMPLETE', tags, id: `arn:aws:cloudformation:${region}:${account}:stack/${name}/${++this.seq}` };
    this.stacks.push(entry);
    return entry;
  }

  /** A preview of project `project` (default shop), tagged as env create tags it. */
  addPreview(r: PreviewRecord, options: Partial<Pick<FakeStackEntry, 'account' | 'region' | 'status'>> & { project?: string } = {}): FakeStackEntry {
    const project = options.project ?? 'shop';
    return this.add(`TapStack-${project}-${r.name}`, previewStackTags(project, r), options);
  }

  byName(name: string): FakeStackEntry | undefined {
    return this.stacks.find((s) => s.name === name && s.status !== 'DELETE_COMPLETE');
  }

  restore(): void {
    this.cfn.restore();
    this.sts.restore();
  }

  /** DescribeStacks calls without a stack name (listings, counting each page). */
  listings(): number {
    return this.cfn.commandCalls(DescribeStacksCommand).filter((c) => !c.args[0].input.StackName).length;
  }

  private toStack(s: FakeStackEntry): Stack {
    return {
      StackName: s.name,
      StackId: s.id,
      StackStatus: s.status as Stack['StackStatus'],
      CreationTime: new Date(NOW - 5 * HOUR),
      Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  private describe(input: { StackName?: string; NextToken?: string }) {
    if (input.StackName) {
      const s = this.stacks.find((x) => x.id === input.StackName) ?? this.byName(input.StackName);
      if (!s) throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
      return { Stacks: [this.toStack(s)] };
    }
    const live = this.stacks.filter((s) => s.status !== 'DELETE_COMPLETE');
    const start = Number(input.NextToken ?? 0);
    const page = live.slice(start, start + 2);
    return { Stacks: page.map((s) => this.toStack(s)), ...(start + 2 < live.length ? { NextToken: String(start + 2) } : {}) };
  }
}
