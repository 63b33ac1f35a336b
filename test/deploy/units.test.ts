/** The pure pieces of deploy: known causes, the root cause, the change summary, the scoped AWS environment. */
import { fullDiff } from '@aws-cdk/cloudformation-diff';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { destructiveRefusal } from '../../src/deploy/approval.js';
import { renderDestroy } from '../../src/deploy/results.js';
import { inWrittenOrder } from '../../src/deploy/progress.js';
import { summarizeChanges, type TemplateDiffLike } from '../../src/deploy/change-summary.js';
import { awsFailureIn, explainFailure, explainToolkitError, rootCause } from '../../src/deploy/failure.js';
import { KNOWN_CAUSES, knownCauseFor } from '../../src/deploy/known-causes.js';
import { ToolkitIoHost, toolkitWarning } from '../../src/deploy/toolkit-io.js';
import { withToolkit } from '../../src/deploy/toolkit-session.js';
import type { CommandContext } from '../../src/cli/context.js';

describe('known causes (failure-lessons.md)', () => {
  // The error texts recorded in shared/spec/failure-lessons.md, as CloudFormation or CDK reported them.
  const recorded: Array<[number, string]> = [
    [1, "ValidationError: Stack name must match the regular expression: /^[A-Za-z][A-Za-z0-9-]*$/, got 'TapStack-${environmentSuffix}'"],
    [2, 'ValidationError: Alias name must be between 1 and 256 characters in a-zA-Z0-9:/_-'],
    [3, 'UnscopedValidationError: Invalid S3 bucket name (value: ecommerce-static-${token[aws.accountid.4]}-${environment_suffix:-dev}-776406)'],
    [4, "Value 'RDSMasterSecretSecretRotationSchedule988E5CA8-MySQLSingleUser-Lambda' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64"],
    [5, 'Load balancer name: "alb-ecommerceinfra-staging-404625" can have a maximum of 32 characters'],
    [7, 'ValidationError: Cannot provide writer or readers if instances or instanceProps are provided'],
    [8, 'ValidationError: One of rotationLambda or hostedRotation must be specified'],
    [9, 'InvalidParameterCombination: You cannot specify both a cache policy and legacy cache behavior parameters.'],
    [10, 'InvalidParameterException: The launch type and capacity provider strategy must not be specified together.'],
    [15, 'InvalidParameterValue: Cannot find version 15.3'],
    [16, 'Cannot find version 15.7 for aurora-postgresql (Service: Rds, Status Code: 400)'],
    [17, 'Cannot find version 8.0.mysql_aurora.3.05.2 for aurora-mysql'],
    [18, 'Invalid parameter value: 1GB for: shared_buffers allowed values are: 16-1073741823'],
    [19, 'CloudWatch Logs role ARN must be set in account settings to enable logging (Service: ApiGateway, Status Code: 400)'],
    [20, 'Invalid request provided: AWS::CloudFront::Distribution: The S3 bucket that you specified for CloudFront logs does not enable ACL access'],
    [21, 'ValidationError: Role arn:aws:iam::***:role/cdk-hnb659fds-cfn-exec-role-***-us-east-1 is invalid or cannot be assumed'],
    [23, "The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:111111111111:log-group:/ecs/shop-app-dev'"],
    [26, "You can't create this secret because a secret with this name is already scheduled for deletion."],
  ];

  it.each(recorded)('#%i is recognised from its recorded error text', (lesson, text) => {
    expect(knownCauseFor(text)?.lesson).toBe(lesson);
  });

  it('covers every lesson the issue asks for, each with a hint', () => {
    const required = [1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 18, 19, 20, 21, 23, 26];
    expect(KNOWN_CAUSES.flatMap((c) => (c.lesson === undefined ? [] : [c.lesson])).sort((a, b) => a - b)).toEqual(required);
    expect(KNOWN_CAUSES.every((c) => c.hint.length > 20)).toBe(true);
  });

  it('does not match an ordinary cancellation', () => {
    expect(knownCauseFor('Resource creation cancelled')).toBeUndefined();
  });

  // [6/12]: what only the account can tell, as CloudFormation and the resource handlers word it.
  it.each([
    ['Export shop-dev-api-url cannot be updated as it is in use by TapStack-reports-dev'],
    ['Export shop-dev-vpc-id cannot be deleted as it is in use by TapStack-reports-dev and TapStack-billing-dev'],
    ['Cannot delete export shop-dev-db-endpoint as it is in use by Analytics'],
  ])('an export in use: %s', (text) => {
    expect(knownCauseFor(text)).toMatchObject({ kind: 'export in use', hint: expect.stringContaining('stop importing it') });
  });

  it.each([
    ["Resource of type 'AWS::ECR::Repository' with identifier 'shop-app-dev' already exists."],
    ['shop-static-assets-dev-111111111111 already exists in stack arn:aws:cloudformation:us-east-1:111111111111:stack/TapStack-shop-dev/1'],
    ['Resource handler returned message: "The specified log group already exists (Service: CloudWatchLogs, Status Code: 400)"'],
    ['DB Cluster already exists (Service: Rds, Status Code: 400, Request ID: 1) (HandlerErrorCode: AlreadyExists)'],
    ['An alias with the name arn:aws:kms:us-east-1:111111111111:alias/shop-master-key-dev already exists (Service: Kms, Status Code: 400)'],
    ['BucketAlreadyOwnedByYou: Your previous request to create the named bucket succeeded and you already own it.'],
  ])('a name taken by a leftover: %s', (text) => {
    expect(knownCauseFor(text)).toMatchObject({ kind: 'name taken', hint: expect.stringContaining('suffix') });
  });

  it('a secret pending deletion stays lesson #26, not a generic "name taken"', () => {
    expect(knownCauseFor("You can't create this secret because a secret with this name is already scheduled for deletion.")?.lesson).toBe(26);
  });
});

describe('root cause', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s));
  const ev = (LogicalResourceId: string, ResourceStatus: string, ResourceStatusReason: string | undefined, s: number, ResourceType = 'AWS::S3::Bucket'): StackEvent =>
    ({ LogicalResourceId, ResourceStatus, ResourceStatusReason, Timestamp: at(s), ResourceType }) as StackEvent;

  it('is the earliest failure with a reason of its own, whatever order the events came in', () => {
    const events = [
      ev('Stack', 'ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to create: [Bucket, Key].', 9, 'AWS::CloudFormation::Stack'),
      ev('Key', 'CREATE_FAILED', 'Resource creation cancelled', 8, 'AWS::KMS::Key'),
      ev('Stage', 'CREATE_FAILED', 'CloudWatch Logs role ARN must be set in account settings to enable logging', 7, 'AWS::ApiGateway::Stage'),
      ev('Bucket', 'CREATE_COMPLETE', undefined, 5),
    ];
    expect(rootCause(events)).toEqual({ logicalId: 'Stage', resourceType: 'AWS::ApiGateway::Stage', status: 'CREATE_FAILED', reason: expect.stringContaining('CloudWatch Logs role') });
  });

  it('falls back to the first failure when every failure only reports a cancellation', () => {
    expect(rootCause([ev('Key', 'CREATE_FAILED', 'Resource creation cancelled', 3)])?.logicalId).toBe('Key');
    expect(rootCause([ev('Key', 'CREATE_COMPLETE', undefined, 3)])).toBeUndefined();
  });
});

describe('failure explanation', () => {
  it('names each distinct reason once when toolkit-lib collects the same failure several times', () => {
    const same = () => Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' });
    const toolkitError = new Error('Failed to publish asset TapStack-shop-dev Template', { cause: new AggregateError([same(), same(), new Error('❌ The specified bucket does not exist')]) });
    const { error } = explainFailure({ operation: 'deploy', stackName: 'S', envName: 'dev', events: [], error: toolkitError, stackAfter: { read: true, stack: undefined }, region: 'us-east-1' });
    expect(error.message).toMatch(/\n {2}root cause: The specified bucket does not exist\n/);
    expect(error.message.match(/bucket does not exist/g)).toHaveLength(1);
  });

  it('a state that could not be read is said as such for each operation, with where to look; a gone stack is said as gone', () => {
    for (const [operation, stackName] of [['bootstrap', 'CDKToolkit'], ['destroy', 'TapStack-shop-dev']]) {
      const { error, stackStatus } = explainFailure({ operation, stackName, envName: 'dev', region: 'eu-west-1', events: [], error: new Error('boom'), stackAfter: { read: false, reason: 'AWS denied access while reading stack' } });
      expect(stackStatus).toBeUndefined();
      expect(error.message).toContain(`stack state: could not be read (AWS denied access while reading stack); look at it with tapctl status --env dev, or aws cloudformation describe-stacks --stack-name ${stackName} --region eu-west-1`);
      expect(error.details).toMatchObject({ stackStatus: null, stackUnreadable: 'AWS denied access while reading stack' });
    }
    const gone = explainFailure({ operation: 'destroy', stackName: 'S', envName: 'dev', region: 'eu-west-1', events: [], error: new Error('boom'), stackAfter: { read: true, stack: undefined } });
    expect(gone.error.message).toContain('stack state: the stack does not exist (nothing was left behind)');
  });

  it('turns an SDK error thrown through toolkit-lib into a user-facing error that says what tapctl was doing', () => {
    const denied = Object.assign(new Error('not authorized to perform: cloudformation:GetTemplate'), { name: 'AccessDenied' });
    expect(explainToolkitError(new Error('diff failed', { cause: denied }), 'comparing S with the deployed stack')).toMatchObject({
      code: 'access-denied',
      exitCode: 1,
      message: 'AWS denied access while comparing S with the deployed stack: not authorized to perform: cloudformation:GetTemplate',
    });
    expect(explainToolkitError(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }), 'comparing S')).toMatchObject({ exitCode: 1, message: 'AWS is throttling requests while comparing S: Rate exceeded' });
  });

  it("leaves CloudFormation's verdict on a deployment to the root-cause explanation, even when it mentions permissions", () => {
    const verdict = Object.assign(new Error('Resource updates failed: Role: User is not authorized to perform: iam:PassRole'), {
      [Symbol.for('@aws-cdk/toolkit-lib.ToolkitError')]: true,
      [Symbol.for('@aws-cdk/toolkit-lib.DeploymentError')]: true,
    });
    expect(awsFailureIn(verdict, 'deploying S')).toBeUndefined();
    const socket = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(awsFailureIn(new Error('wrapped', { cause: socket }), 'deploying S')).toMatchObject({ code: 'network', message: 'could not reach AWS while deploying S: socket hang up' });
  });
});

describe("toolkit-lib's warnings", () => {
  it('drop advice for the CDK CLI and known noise, keep the rest', () => {
    expect(toolkitWarning("Using default execution policy of 'arn:aws:iam::aws:policy/AdministratorAccess'. Pass '--cloudformation-execution-policies' to customize.")).toBeUndefined();
    expect(toolkitWarning("Credentials for 111111111111 could not be used to assume 'arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-us-east-1', but are for the right account. Proceeding anyway.")).toBeUndefined();
    expect(toolkitWarning("Bootstrap stack already at version 30. Not downgrading it to version 29 (use --force if you intend to downgrade)")).toBe('Bootstrap stack already at version 30. Not downgrading it to version 29');
    expect(toolkitWarning("Stack S failed creation and rollback. This state cannot be rolled back. You can recreate this stack by running 'cdk deploy'.")).toBe('Stack S failed creation and rollback. This state cannot be rolled back.');
    expect(toolkitWarning('The stack uses a deprecated runtime')).toBe('The stack uses a deprecated runtime');
  });

  it("say a broadening change in tapctl's words: a dry run or a diff asks nobody to confirm anything (qa3 P3 #9)", () => {
    const cdk = 'This deployment will make potentially sensitive changes according to your current security approval level.\nPlease confirm you intend to make the following modifications:\n';
    expect(toolkitWarning(cdk)).toBe('this change broadens permissions (IAM policies or security group rules); a deploy shows them and asks for approval');
  });

  it('that are noise go to debug output, not to the person', async () => {
    const shown: string[] = [];
    const debug: string[] = [];
    const c = { io: { notify: (m: { message: string }) => shown.push(m.message), debug: (m: string) => debug.push(m) }, signal: new AbortController().signal } as unknown as CommandContext;
    const host = new ToolkitIoHost(c);
    const warn = (message: string) => host.notify({ time: new Date(), level: 'warn', action: 'deploy', code: undefined, message, data: undefined });
    await warn("Credentials could not be used to assume 'arn:aws:iam::1:role/x', but are for the right account. Proceeding anyway.");
    await warn('A warning that matters');
    expect(shown).toEqual(['A warning that matters']);
    expect(debug.join('\n')).toMatch(/Proceeding anyway/);
  });
});

describe('change summary', () => {
  const template = (resources: Record<string, unknown>) => ({ Resources: resources });
  const bucket = (name: string) => ({ Type: 'AWS::S3::Bucket', Properties: { BucketName: name } });
  const topic = { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'x' } };

  it('counts adds, changes, replacements and removals, and flags data-losing ones', () => {
    const before = template({ Assets: bucket('a'), Logs: { ...bucket('logs'), DeletionPolicy: 'Retain' }, Old: bucket('old'), Alerts: topic });
    const after = template({ Assets: bucket('a-renamed'), Alerts: { ...topic, Properties: { DisplayName: 'y' } }, New: topic });
    const s = summarizeChanges({ Stack: fullDiff(before, after) as unknown as TemplateDiffLike });
    expect(s).toMatchObject({ adds: 1, modifications: 1, replacements: 1, removals: 2 });
    expect(s.destructive.map((c) => `${c.logicalId}:${c.kind}`).sort()).toEqual(['Assets:replace', 'Old:remove']);
    // Removed from the stack but retained: not a data loss.
    expect(s.changes.find((c) => c.logicalId === 'Logs')).toMatchObject({ kind: 'orphan', destroysData: false });
  });

  it('--allow-replace lets named resources (or all) through', () => {
    const s = summarizeChanges({ Stack: fullDiff(template({ A: bucket('a'), B: bucket('b') }), template({ A: bucket('a2') })) as unknown as TemplateDiffLike });
    expect(destructiveRefusal(s, [], 'dev')?.message).toMatch(/A \(AWS::S3::Bucket, replaced\), B \(AWS::S3::Bucket, removed\)/);
    expect(destructiveRefusal(s, ['A'], 'dev')?.message).toMatch(/of B /);
    expect(destructiveRefusal(s, ['A', 'B'], 'dev')).toBeUndefined();
    expect(destructiveRefusal(s, ['all'], 'dev')).toBeUndefined();
  });
});

describe('toolkit session', () => {
  const ctx = (env: NodeJS.ProcessEnv) => ({ env, globals: {}, signal: new AbortController().signal }) as unknown as CommandContext;
  const environment = (endpoint?: string) => ({ region: 'eu-west-1', ...(endpoint ? { endpoint } : {}) }) as never;

  it("points toolkit-lib at the environment's endpoint only for the duration of the call", async () => {
    const before = process.env.AWS_ENDPOINT_URL;
    let during: string | undefined;
    const c = ctx({ AWS_ACCESS_KEY_ID: 'AKIDTEST' });
    await withToolkit(c, environment('http://localhost:4566'), new ToolkitIoHost(c), async () => {
      during = process.env.AWS_ENDPOINT_URL;
      expect(process.env.AWS_ACCESS_KEY_ID).toBe('AKIDTEST');
    });
    expect(during).toBe('http://localhost:4566');
    expect(process.env.AWS_ENDPOINT_URL).toBe(before);
  });

  it('restores process.env when the call fails', async () => {
    const c = ctx({ AWS_PROFILE: 'tapctl-test' });
    await expect(withToolkit(c, environment('http://localhost:4566'), new ToolkitIoHost(c), async () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(process.env.AWS_PROFILE).not.toBe('tapctl-test');
  });
});

describe("tapctl's IoHost for toolkit-lib", () => {
  it('counts silence from its last message, and not while a question waits for a person', async () => {
    let during = -1;
    const prompter = {
      input: async () => {
        during = host.quietMs(Date.now() + 60_000);
        return '123456';
      },
    };
    const c = { io: { debug: () => undefined }, signal: new AbortController().signal, interactive: true, prompter } as unknown as CommandContext;
    const host = new ToolkitIoHost(c);
    host.touch();
    expect(host.quietMs(Date.now() + 5_000)).toBeGreaterThanOrEqual(5_000);
    await host.requestResponse({ time: new Date(), level: 'info', action: 'deploy', code: 'CDK_SDK_I1100', message: 'MFA token', data: {}, defaultResponse: '' });
    expect(during).toBe(0);
    expect(host.quietMs(Date.now())).toBeLessThan(1_000);
  });

  it('never hands back the default answer of a question it does not know', async () => {
    const debug: string[] = [];
    const c = { io: { debug: (m: string) => debug.push(m) }, signal: new AbortController().signal } as unknown as CommandContext;
    const host = new ToolkitIoHost(c);
    const ask = (code: string) => host.requestResponse({ time: new Date(), level: 'info', action: 'deploy', code: code as never, message: 'Deploy?', data: {}, defaultResponse: true });
    // No approval handler: a deploy request is denied, not approved by its default `true`.
    expect(await ask('CDK_TOOLKIT_I5060')).toBe(false);
    expect(await ask('CDK_TOOLKIT_I9999')).toBe(false);
    expect(await ask('CDK_TOOLKIT_I7010')).toBe(false);
  });
});

describe('destroy result', () => {
  const plain = { bold: (t: string) => t, dim: (t: string) => t, good: (t: string) => t, bad: (t: string) => t, warn: (t: string) => t, accent: (t: string) => t, code: (t: string) => t };
  const base = { ok: true as const, stack: 'TapStack-shop-pr-40', status: 'destroyed' as const, retained: [], ledgerEnded: '/tapctl/shop/pr-40/', durationMs: 1000 };

  it("a preview's ended ledger is read in SSM, not with tapctl releases --env (which no longer finds it) (qa3 P3 #12)", () => {
    expect(renderDestroy({ ...base, environment: 'pr-40', preview: true }, plain)).toContain('aws ssm get-parameters-by-path --recursive --path /tapctl/shop/pr-40/ reads it');
    expect(renderDestroy({ ...base, environment: 'pr-40', preview: true }, plain)).not.toContain('tapctl releases');
    expect(renderDestroy({ ...base, environment: 'dev', stack: 'TapStack-shop-dev', ledgerEnded: '/tapctl/shop/dev/' }, plain)).toContain('tapctl releases --env dev lists it');
  });
});

describe('stack events in the order CloudFormation wrote them', () => {
  const at = (id: string, status: string, time: string) => ({ event: { LogicalResourceId: id, ResourceStatus: status, Timestamp: new Date(time) } as StackEvent });

  it("puts back a run of equal timestamps that toolkit-lib's stable sort left newest first; other order stays (qa3 P3 #14)", () => {
    // toolkit-lib's poll: a newest-first page, stable-sorted by time. The emulator stamps all three with one time.
    const fromToolkit = [at('Stack', 'CREATE_IN_PROGRESS', '2026-11-29T10:00:00Z'), at('Topic', 'CREATE_COMPLETE', '2026-11-29T10:00:05Z'), at('Topic', 'CREATE_IN_PROGRESS', '2026-11-29T10:00:05Z'), at('Stack', 'CREATE_COMPLETE', '2026-11-29T10:00:09Z')];
    expect(inWrittenOrder(fromToolkit).map((a) => `${a.event.LogicalResourceId} ${a.event.ResourceStatus}`)).toEqual([
      'Stack CREATE_IN_PROGRESS',
      'Topic CREATE_IN_PROGRESS',
      'Topic CREATE_COMPLETE',
      'Stack CREATE_COMPLETE',
    ]);
  });
});
