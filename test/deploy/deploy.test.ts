/**
 * tapctl deploy against the real synthesized stack, with toolkit-lib and tapctl running for real on top of a
 * faked AWS (aws-sdk-client-mock at the SDK boundary).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { outputsFile } from '../../src/state/work-dir.js';
import { InterruptedError } from '../../src/cli/errors.js';
import type { Prompter } from '../../src/cli/prompter.js';
import { FakeAws } from './fake-aws.js';
import { aimFake, logicalIdOf, synthesizedProject, tapctl, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;

useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

/** A deployed stack that differs from the synthesized one: one resource missing, one property changed. */
function deployedWithChanges(change: (template: Record<string, any>) => void = () => {}) {
  const deployed = f.template();
  const topic = logicalIdOf(deployed, 'AWS::SNS::Topic');
  delete deployed.Resources[topic];
  change(deployed);
  fake.deployedAsIs();
  fake.stack!.template = deployed;
  return { topic };
}

const prompter = (answers: { confirm?: boolean; input?: string }): Prompter => ({
  input: async () => answers.input ?? '',
  confirm: async () => answers.confirm ?? false,
  select: async () => {
    throw new Error('unexpected select');
  },
  checkbox: async () => [],
});

describe('tapctl deploy', () => {
  it('creates the stack on a first deploy, shows the checks, writes the outputs and says what to do next', async () => {
    fake.images = undefined; // the repository does not exist yet
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ account {2}111111111111 is the account of 'dev'/);
    expect(r.stderr).toMatch(/✔ bootstrap {2}version 30/);
    expect(r.stderr).toMatch(/! image {2}none yet: the service runs 0 tasks until you run tapctl push-image --env dev/);
    expect(r.stderr).toMatch(/Changes to TapStack-shop-dev: \d+ to add, 0 to change, 0 to replace, 0 to remove/);
    expect(r.stdout).toMatch(/✔ deployed TapStack-shop-dev/);
    expect(r.stdout).toMatch(/CloudFrontURL\s+https:\/\/d111\.cloudfront\.net/);
    expect(r.stdout).toMatch(/Next:\n {2}tapctl push-image --env dev\n {2}tapctl deploy --env dev/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    const outputs = JSON.parse(readFileSync(outputsFile(f.project.dir, 'dev'), 'utf8'));
    expect(outputs).toMatchObject({ CloudFrontURL: 'https://d111.cloudfront.net', ECRRepositoryURI: expect.stringContaining('shop-app-dev') });
  });

  it('updates a deployed stack, counting adds and changes, and writes --outputs-file too', async () => {
    deployedWithChanges();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--outputs-file', 'out/outputs.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Changes to TapStack-shop-dev: 1 to add/);
    expect(r.stdout).toMatch(/✔ deployed TapStack-shop-dev in \d+s \(1 to add/);
    expect(JSON.parse(readFileSync(join(f.project.dir, 'out/outputs.json'), 'utf8')).APIGatewayURL).toBe('https://api.example/prod');
  });

  it('says "no changes" without creating or executing any change set (and asks nothing)', async () => {
    fake.deployedAsIs();
    const asksNothing: Prompter = {
      input: async () => {
        throw new Error('unexpected question');
      },
      confirm: async () => {
        throw new Error('unexpected question');
      },
      select: async () => {
        throw new Error('unexpected question');
      },
      checkbox: async () => [],
    };
    const r = await tapctl(f, ['deploy', '--env', 'dev'], { tty: true, prompter: asksNothing });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TapStack-shop-dev is up to date: no changes, nothing was executed/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
    expect(existsSync(outputsFile(f.project.dir, 'dev'))).toBe(true);
  });

  describe('a change set that changes the stack but itemizes no resource change', () => {
    beforeEach(() => {
      fake.changeSetWithoutDetails = true;
    });

    it('GIVEN a property CloudFormation resolves at deploy time THEN the template diff names the resource, never "0 changes"', async () => {
      deployedWithChanges((t) => {
        const service = logicalIdOf(t, 'AWS::ECS::Service');
        t.Resources[service].Properties.Cluster = { Ref: 'AnOldCluster' };
      });
      // (deployedWithChanges also removes the topic: the change set lists none of it.)
      const service = logicalIdOf(f.template(), 'AWS::ECS::Service');
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr + r.stdout).not.toMatch(/0 to add, 0 to change|0 resource changes/);
      expect(r.stderr).toContain(`approved with --yes: 1 resource change to 'dev'`);
      const json = await (async () => {
        fake.deployedAsIs();
        const t = fake.stack!.template as Record<string, any>;
        t.Resources[service].Properties.Cluster = { Ref: 'AnOldCluster' };
        return tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json']);
      })();
      expect(json.code, json.stderr).toBe(0);
      const changes = json.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'changes');
      expect(changes).toMatchObject({ adds: 0, modifications: 0, incomplete: true, unitemized: [{ logicalId: service, type: 'AWS::ECS::Service' }] });
    });

    it('GIVEN only the resource itself changed (a deploy-time value) THEN the summary names it and the approval does not count 0', async () => {
      fake.deployedAsIs();
      const t = fake.stack!.template as Record<string, any>;
      const service = logicalIdOf(t, 'AWS::ECS::Service');
      t.Resources[service].Properties.Cluster = { Ref: 'AnOldCluster' };
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`Changes to TapStack-shop-dev: no resource change itemized by CloudFormation, but the template differs in 1 resource (${service})`);
      expect(r.stderr).toMatch(new RegExp(`\\? ${service} {2}AWS::ECS::Service {2}template differs; CloudFormation itemized no change`));
      expect(r.stderr).toContain(`approved with --yes: a change CloudFormation did not itemize (the template differs in 1 resource (${service})) to 'dev'`);
      expect(r.stdout).toMatch(/✔ deployed TapStack-shop-dev in \d+s \(no resource change itemized by CloudFormation/);
    });

    it('GIVEN only an output changed THEN it says so', async () => {
      fake.deployedAsIs();
      const t = fake.stack!.template as Record<string, any>;
      const output = Object.keys(t.Outputs)[0];
      delete t.Outputs[output];
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Changes to TapStack-shop-dev: no resource change itemized by CloudFormation, but the template differs in 1 output');
    });

    it('GIVEN nothing the template diff can see THEN the summary says plainly it is incomplete', async () => {
      fake.deployedAsIs();
      // A difference tapctl does not itemize (the template's Description): the change set is made, and lists nothing.
      (fake.stack!.template as Record<string, any>).Description = 'an older description';
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Changes to TapStack-shop-dev: CloudFormation reports changes but itemized none: this summary is incomplete');
      expect(r.stderr).not.toMatch(/0 to add, 0 to change/);
    });
  });

  it('on failure names the first real failure, not the cancelled cascade, with its known cause and the state after rollback', async () => {
    const stage = logicalIdOf(f.template(), 'AWS::ApiGateway::Stage');
    fake.outcome = { kind: 'fail', failed: stage, reason: 'CloudWatch Logs role ARN must be set in account settings to enable logging (Service: ApiGateway, Status Code: 400)' };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`root cause: ${stage} \\(AWS::ApiGateway::Stage\\) CREATE_FAILED: CloudWatch Logs role ARN must be set`));
    expect(r.stderr).not.toMatch(/root cause: .*cancelled/);
    expect(r.stderr).toMatch(/known cause \(failure-lessons.md #19\): set api.loggingLevel: OFF/);
    expect(r.stderr).toMatch(/stack state: ROLLBACK_COMPLETE: the first create failed/);
  });

  it('after a failure, a DescribeStacks that itself fails is said as such, never as "nothing was left behind"', async () => {
    const stage = logicalIdOf(f.template(), 'AWS::ApiGateway::Stage');
    fake.outcome = { kind: 'fail', failed: stage, reason: 'Resource handler returned message: "Invalid request"' };
    // toolkit-lib sees the rolled-back stack once and throws; tapctl's own read after it is throttled.
    let rolledBackReads = 0;
    fake.onDescribeStack = () => {
      if (fake.stack?.status === 'ROLLBACK_COMPLETE' && ++rolledBackReads > 1) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400, requestId: 'r' } });
    };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`root cause: ${stage} \\(AWS::ApiGateway::Stage\\) CREATE_FAILED`));
    expect(r.stderr).toContain(
      'stack state: could not be read (AWS is throttling requests while reading stack TapStack-shop-dev: Rate exceeded); look at it with tapctl status --env dev, or aws cloudformation describe-stacks --stack-name TapStack-shop-dev --region us-east-1',
    );
    expect(r.stderr).not.toMatch(/does not exist|nothing was left behind/);
  });

  it('refuses credentials for another account (exit 3), naming both accounts', async () => {
    fake.account = '999999999999';
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refusing to touch account 999999999999: environment 'dev' belongs to account 111111111111/);
    expect(fake.calls('CreateChangeSet')).toBe(0);
  });

  it('stops when the account is not bootstrapped and says how to fix it', async () => {
    fake.bootstrapVersion = undefined;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CDK bootstrap is missing in account 111111111111, region us-east-1/);
    expect(r.stderr).toMatch(/hint: run tapctl bootstrap --env dev/);
  });

  describe('a stack whose first create failed (ROLLBACK_COMPLETE)', () => {
    beforeEach(() => {
      fake.stack = { status: 'ROLLBACK_COMPLETE' };
    });

    it('is not deleted without consent when there is no terminal (exit 3, before AWS is asked anything)', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/needs approval, and there is no terminal to ask/);
      expect(r.stderr).toMatch(/hint: .*--yes/);
      expect(fake.calls('DeleteStack')).toBe(0);
      expect(fake.callCounts()).toEqual({});
    });

    it('is deleted and created again after the person confirms', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev'], { tty: true, prompter: prompter({ confirm: true }) });
      expect(r.code, r.stderr).toBe(0);
      expect(fake.calls('DeleteStack')).toBe(1);
      expect(fake.calls('ExecuteChangeSet')).toBe(1);
      expect(fake.stack?.status).toBe('CREATE_COMPLETE');
    });
  });

  it('refuses a stack whose rollback failed (exit 3) and says how to continue the rollback', async () => {
    fake.deployedAsIs('UPDATE_ROLLBACK_FAILED');
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/stack TapStack-shop-dev is UPDATE_ROLLBACK_FAILED/);
    expect(r.stderr).toMatch(/hint: continue the rollback: aws cloudformation continue-update-rollback --stack-name TapStack-shop-dev --region us-east-1/);
  });

  describe('a busy stack', () => {
    beforeEach(() => {
      fake.deployedAsIs('UPDATE_IN_PROGRESS');
    });

    it('is refused (exit 3) with a pointer to --wait-for-stack', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/stack TapStack-shop-dev is busy: UPDATE_IN_PROGRESS/);
      expect(r.stderr).toMatch(/--wait-for-stack/);
    });

    it('is waited for with --wait-for-stack, then deployed', async () => {
      // The operation ends once deploy has seen the stack busy and looked again: a wait, whatever the machine's speed.
      let busyAnswers = 0;
      fake.onDescribeStack = () => {
        if (fake.stack!.status === 'UPDATE_IN_PROGRESS' && ++busyAnswers === 2) fake.stack!.status = 'UPDATE_COMPLETE';
      };
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--wait-for-stack', '1']);
      expect(r.code, r.stderr).toBe(0);
      expect(busyAnswers).toBe(2);
      expect(r.stdout).toMatch(/up to date/);
    });
  });

  describe('a change that destroys data', () => {
    let cluster: string;
    beforeEach(() => {
      cluster = logicalIdOf(f.template(), 'AWS::RDS::DBCluster');
      deployedWithChanges((t) => (t.Resources[cluster].Properties.DatabaseName = 'legacy'));
      fake.replaceOnChange.add(cluster);
    });

    it('is refused (exit 3) naming the resource, and the change set is removed unexecuted', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`refusing to deploy to 'dev': it would destroy the data of ${cluster} \\(AWS::RDS::DBCluster, replaced\\)`));
      expect(r.stderr).toMatch(new RegExp(`--allow-replace ${cluster}`));
      expect(fake.calls('ExecuteChangeSet')).toBe(0);
      expect(fake.calls('DeleteChangeSet')).toBeGreaterThan(0);
    });

    it('goes ahead when --allow-replace names it', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--allow-replace', cluster]);
      expect(r.code, r.stderr).toBe(0);
      expect(fake.calls('ExecuteChangeSet')).toBe(1);
    });
  });

  describe('approval', () => {
    beforeEach(() => {
      deployedWithChanges();
    });

    it('without a terminal and without --yes is refused (exit 3), never approved silently', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/needs approval, and there is no terminal to ask/);
      expect(r.stderr).toMatch(/approve it with --yes/);
      expect(fake.calls('ExecuteChangeSet')).toBe(0);
    });

    it('without a terminal and without --yes is refused before synthesis and before any AWS call', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--json']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/hint: in CI, review the change \(tapctl diff --env dev\), then approve it with --yes; or run tapctl deploy on a terminal/);
      expect(fake.callCounts()).toEqual({});
      // Nothing was synthesized: not even the first phase began.
      expect(r.stdout).not.toMatch(/"phase"/);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'refused', exitCode: 3 } });
    });

    it('at a terminal asks the person', async () => {
      const no = await tapctl(f, ['deploy', '--env', 'dev'], { tty: true, prompter: prompter({ confirm: false }) });
      expect(no.code).toBe(3);
      expect(no.stderr).toMatch(/not approved; nothing was changed/);
      const yes = await tapctl(f, ['deploy', '--env', 'dev'], { tty: true, prompter: prompter({ confirm: true }) });
      expect(yes.code, yes.stderr).toBe(0);
      expect(fake.calls('ExecuteChangeSet')).toBe(1);
      // At a terminal the progress is one line redrawn in place: done/total, elapsed, the resource at work.
      expect(yes.stderr).toMatch(/\r\x1b\[2Kdeploying TapStack-shop-dev {2}\[\d+\/\d+\] {2}\d+s/);
    });

    it('Ctrl-C at the approval of a first deploy withdraws the change set and the empty new stack, as a "no" does (qa3 P2 #8)', async () => {
      fake.stack = undefined as FakeAws['stack'];
      const ctrlC: Prompter = { ...prompter({}), confirm: async () => { throw new InterruptedError('interrupted; nothing was changed'); } };
      const r = await tapctl(f, ['deploy', '--env', 'dev'], { tty: true, prompter: ctrlC });
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/interrupted at the approval; nothing was changed: change set tapctl-deploy and the new, empty stack TapStack-shop-dev were deleted/);
      expect(fake.calls('ExecuteChangeSet')).toBe(0);
      expect(fake.changeSetInReview).toBe(false);
      expect((fake.stack as FakeAws['stack'])?.status).toBe('DELETE_COMPLETE');
    });

    it('Ctrl-C at the approval of an update withdraws only the change set: the deployed stack stays', async () => {
      deployedWithChanges();
      const ctrlC: Prompter = { ...prompter({}), confirm: async () => { throw new InterruptedError('interrupted; nothing was changed'); } };
      const r = await tapctl(f, ['deploy', '--env', 'dev'], { tty: true, prompter: ctrlC });
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/interrupted at the approval; nothing was changed: change set tapctl-deploy was deleted/);
      expect(fake.changeSetInReview).toBe(false);
      expect(fake.calls('DeleteStack')).toBe(0);
      expect(fake.stack?.status).toBe('UPDATE_COMPLETE');
    });

    it('in production asks for the environment name to be typed', async () => {
      const prod = await synthesizedProject(undefined, 'prod');
      try {
        aimFake(fake, prod);
        fake.deployedAsIs();
        const deployed = prod.template();
        delete deployed.Resources[logicalIdOf(deployed, 'AWS::SNS::Topic')];
        fake.stack!.template = deployed;
        const wrong = await tapctl(prod, ['deploy', '--env', 'prod'], { tty: true, prompter: prompter({ input: 'dev', confirm: true }) });
        expect(wrong.code).toBe(3);
        expect(wrong.stderr).toMatch(/✔ termination protection {2}on/);
        const typed = await tapctl(prod, ['deploy', '--env', 'prod'], { tty: true, prompter: prompter({ input: 'prod' }) });
        expect(typed.code, typed.stderr).toBe(0);
        expect(fake.calls('ExecuteChangeSet')).toBe(1);
      } finally {
        prod.project.cleanup();
      }
    });
  });

  describe('--allow-replace', () => {
    let cluster: string;
    beforeEach(() => {
      cluster = logicalIdOf(f.template(), 'AWS::RDS::DBCluster');
      deployedWithChanges((t) => (t.Resources[cluster].Properties.DatabaseName = 'legacy'));
      fake.replaceOnChange.add(cluster);
    });

    it('refuses a flag taken as its value, so that --dry-run never becomes a real deploy (exit 2, nothing run)', async () => {
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--allow-replace', '--dry-run', '--yes']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/✖ --allow-replace needs a value, got the flag '--dry-run'/);
      expect(r.stderr).toMatch(/hint: '--dry-run' is a flag, taken as the value of --allow-replace/);
      expect(fake.callCounts()).toEqual({});
    });

    it('refuses a logical ID the stack does not have, with a did-you-mean, before anything changes (exit 2)', async () => {
      const typo = cluster.slice(0, -8); // the construct's name without CDK's hash
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--allow-replace', typo, '--allow-replace', 'NoSuchThing']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--allow-replace names resources that TapStack-shop-dev does not have: '${typo}' (did you mean '${cluster}'?), 'NoSuchThing'`);
      expect(r.stderr).toMatch(/hint: use the logical IDs tapctl diff --env dev shows/);
      expect(fake.calls('CreateChangeSet')).toBe(0);
      expect(fake.calls('ExecuteChangeSet')).toBe(0);
    });

    it('accepts a stateful resource the deploy removes (only in the deployed stack)', async () => {
      fake.replaceOnChange.clear();
      fake.stack!.template!.Resources!.OldBucket = { Type: 'AWS::S3::Bucket', Properties: {} };
      const refused = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--allow-replace', cluster]);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/--allow-replace OldBucket/);
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--allow-replace', 'OldBucket']);
      expect(r.code, r.stderr).toBe(0);
      expect(fake.calls('ExecuteChangeSet')).toBe(1);
    });
  });

  it('names the root cause of a failure once', async () => {
    // Assets are published in parallel: each fails for the same reason, and toolkit-lib collects them all.
    fake.s3.on(ListObjectsV2Command).callsFake(() => {
      throw Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deploy of TapStack-shop-dev failed\n {2}root cause: The specified bucket does not exist\n/);
    expect(r.stderr.match(/The specified bucket does not exist/g)).toHaveLength(1);
  });

  it('explains an AWS access denial while publishing assets as such, not as a stack failure', async () => {
    fake.s3.on(ListObjectsV2Command).callsFake(() => {
      throw Object.assign(new Error('User: arn:aws:iam::111111111111:user/ci is not authorized to perform: s3:ListBucket'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    });
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✖ AWS denied access while publishing the assets of TapStack-shop-dev and creating its change set: User: .* s3:ListBucket\n/);
    expect(r.stderr).toMatch(/hint: your role needs this permission/);
    expect(r.stderr.match(/not authorized to perform: s3:ListBucket/g)).toHaveLength(1);
  });

  it('--json writes NDJSON only: checks, changes, resource events, then the result as the last line', async () => {
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const events = lines.map((l) => JSON.parse(l));
    expect(events.slice(0, -1).every((e) => typeof e.type === 'string' && e.type !== 'result' && typeof e.time === 'string')).toBe(true);
    expect(events.filter((e) => e.type === 'check').map((e) => e.name)).toContain('bootstrap');
    expect(events.find((e) => e.type === 'changes')).toMatchObject({ stack: 'TapStack-shop-dev', replacements: 0 });
    expect(events.filter((e) => e.type === 'resource').length).toBeGreaterThan(2);
    expect(events.at(-1)).toMatchObject({ type: 'result', ok: true, command: 'deploy', status: 'deployed', outputs: { CloudFrontURL: 'https://d111.cloudfront.net' } });
  });

  it('--no-wait starts the change set and returns without watching', async () => {
    deployedWithChanges();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--no-wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deploy of TapStack-shop-dev started; CloudFormation carries on/);
    expect(r.stdout).toMatch(/tapctl status --env dev --watch/);
    expect(fake.calls('ExecuteChangeSet')).toBe(1);
    expect(fake.calls('DescribeStackEvents')).toBe(0);
  });

  it('Ctrl-C while waiting stops watching (exit 130) and says how to follow the deploy', async () => {
    const controller = new AbortController();
    fake.outcome = { kind: 'hang' };
    fake.onPoll = () => controller.abort();
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes'], { signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopped watching the deploy of TapStack-shop-dev; CloudFormation carries on with it/);
    expect(r.stderr).toMatch(/hint: follow it with tapctl status --env dev --watch/);
    // toolkit-lib's own wait stops too: the poll count settles (a poll in flight at the interrupt may still land,
    // later on a busy machine), then stays put for a hundred poll intervals (5 ms).
    const polls = await settled(() => fake.calls('DescribeStacks'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.calls('DescribeStacks')).toBe(polls);
  });
});

/** The value once it has not changed for 250 ms (polling that never stops fails after 20 s). */
async function settled(read: () => number): Promise<number> {
  let last = read();
  for (let waited = 0; waited < 20_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = read();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`still changing after 20 s (now ${last})`);
}
