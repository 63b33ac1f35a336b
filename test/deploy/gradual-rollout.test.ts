/**
 * deploy with a canary deployment strategy, in-process against the faked AWS: the production rule's live weights
 * go into the template (an infrastructure-only deploy never moves traffic back), an alarm already in ALARM refuses
 * the release (exit 3), and ECS's verdict on the rollout is followed: an alarm that rolls it back is exit 1 naming
 * the alarm, recorded in the ledger (`rollout: failed` with the alarm).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListServiceDeploymentsCommand, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configFingerprint } from '../../src/release/release.js';
import { releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { sampleConfig } from '../helpers/project.js';
import { FakeAws } from './fake-aws.js';
import { aimFake, deployedWith, logicalIdOf, synthesizedProject, tapctl, templateWithImage, type Fixture } from './setup.js';

const D7 = `sha256:${'7'.repeat(64)}`;
const D8 = `sha256:${'8'.repeat(64)}`;
const LEDGER = '/tapctl/shop/dev/';
const RULE = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/shop-alb-dev/0123/4567/89ab';
const SD = 'arn:aws:ecs:us-east-1:111111111111:service-deployment/shop-cluster-dev/shop-service-dev/r8';

let f: Fixture;
let fake: FakeAws;
let t7: Record<string, any>;
let t8: Record<string, any>;
beforeAll(async () => {
  f = await synthesizedProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', network: { natGateways: 1 }, deployment: { strategy: 'canary', canary: { percent: 10, wait: '5m' }, bake: '5m' } } } }));
  t7 = await templateWithImage(f, { tag: 'v7', digest: D7 });
  t8 = await templateWithImage(f, { tag: 'v8', digest: D8 });
});
afterAll(() => f.project.cleanup());

const alarm = (key: string) => (f.env.names.alarms as Record<string, string>)[key]!;
const tg = () => f.env.names.targetGroup;
const tg2 = () => f.env.names.alternateTargetGroup;

beforeEach(() => {
  fake?.restore();
  fake = new FakeAws();
  aimFake(fake, f);
  deployedWith(fake, t7);
  fake.images = [D7, D8];
  // The service deployed with the production rule ECS shifts (loadBalancers[].advancedConfiguration).
  fake.ecsServices = [{ status: 'ACTIVE', loadBalancers: [{ targetGroupArn: 'tg', advancedConfiguration: { productionListenerRule: RULE } }], deployments: [] }];
  fake.productionRule = { arn: RULE, weights: { [tg()]: 100, [tg2()]: 0 } };
  fake.alarms = { [alarm('alb-5xx-errors')]: 'OK', [alarm('api-5xx-errors')]: 'OK', [alarm('api-high-latency')]: 'OK' };
  const pushed = releaseRecord(8, { outcome: 'pushed' });
  seedLedger(fake.parameters, [releaseRecord(7), pushed], pushed);
  fake.nextTemplate = t8;
});

function synthesizedRuleWeights(): Record<string, number> {
  const dir = join(f.project.dir, '.tapctl', 'dev', 'cdk.out');
  const t = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.template.json'))!), 'utf8'));
  const rule = Object.values(t.Resources as Record<string, any>).find((r) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && r.Properties.Priority === 10)!;
  const groups = rule.Properties.Actions[0].ForwardConfig.TargetGroups as Array<{ TargetGroupArn: { Ref: string }; Weight: number }>;
  const nameOf = (ref: string) => t.Resources[ref].Properties.Name as string;
  return Object.fromEntries(groups.map((g) => [nameOf(g.TargetGroupArn.Ref), g.Weight]));
}

describe('a canary environment', () => {
  it('after ECS moved all traffic to the alternate group, an infrastructure-only plan keeps it there (the live weights, not 100/0)', async () => {
    fake.productionRule = { arn: RULE, weights: { [tg()]: 0, [tg2()]: 100 } };
    fake.nextTemplate = t7;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`production rule as ECS left it: ${tg()} 0, ${tg2()} 100 (kept in the template)`);
    expect(synthesizedRuleWeights()).toEqual({ [tg()]: 0, [tg2()]: 100 });
  });

  it('switching back to rolling while the release runs in the alternate group is refused (exit 3): rolling keeps only the first, which has no tasks', async () => {
    const rolling = await synthesizedProject(sampleConfig());
    try {
      aimFake(fake, rolling);
      deployedWith(fake, t7);
      fake.nextTemplate = rolling.template();
      fake.productionRule = { arn: RULE, weights: { [tg()]: 0, [tg2()]: 100 } };
      const r = await tapctl(rolling, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`refusing to switch 'dev' to rolling deployments now: the running release is in ${tg2()}`);
      expect(r.stderr).toContain('deploy one more release with the current deployment.strategy');
      expect(fake.calls('ExecuteChangeSet')).toBe(0);
    } finally {
      rolling.project.cleanup();
    }
  });

  it('refuses while the traffic is split between both groups (a deployment is shifting it): exit 3, nothing executed', async () => {
    fake.productionRule = { arn: RULE, weights: { [tg()]: 90, [tg2()]: 10 } };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('its traffic is split between both target groups');
    expect(fake.calls('ExecuteChangeSet')).toBe(0);
  });

  it('refuses a release while a rollback alarm is in ALARM (exit 3, naming it), and only warns for insufficient data', async () => {
    fake.alarms[alarm('alb-5xx-errors')] = 'ALARM';
    fake.alarms[alarm('api-high-latency')] = 'INSUFFICIENT_DATA';
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`alarm ${alarm('alb-5xx-errors')} (state ALARM) is in ALARM, so ECS would roll the release back as soon as it starts`);
    expect(fake.calls('ExecuteChangeSet')).toBe(0);

    fake.alarms[alarm('alb-5xx-errors')] = 'OK';
    const dry = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`${alarm('api-high-latency')} has insufficient data: it cannot roll the release back until CloudWatch has data`);

    // CloudWatch that cannot be read (denied, or an emulator's 500) is a warning that says so, not a refusal.
    fake.cloudWatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const denied = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stderr).toMatch(/! deployment alarms {2}not checked: .*cloudwatch:DescribeAlarms.*; an alarm already in ALARM would roll the release back as soon as it starts/);
  });

  const inProgress = (percent: number, stage = 'PRODUCTION_TRAFFIC_SHIFT'): ServiceDeployment => ({
    serviceDeploymentArn: SD,
    status: 'IN_PROGRESS',
    lifecycleStage: stage as ServiceDeployment['lifecycleStage'],
    targetServiceRevision: { requestedTaskCount: 2, runningTaskCount: 2, requestedProductionTrafficWeight: percent },
  });

  it('follows the canary to ECS verdict: succeeded is recorded healthy, each stage shown as a rollout event', async () => {
    fake.nextServiceDeployment = [inProgress(10), inProgress(100, 'BAKE_TIME'), { serviceDeploymentArn: SD, status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const events = lines.filter((l) => l.type === 'rollout');
    expect(events.map((e) => [e.stage, e.percent])).toEqual(expect.arrayContaining([['PRODUCTION_TRAFFIC_SHIFT', 10], ['BAKE_TIME', 100]]));
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, status: 'deployed', rollout: { strategy: 'canary', outcome: 'succeeded', serviceDeployment: SD }, release: { id: '000008', outcome: 'deployed', rollout: 'healthy' } });
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'deployed', rollout: 'healthy' });
  });

  it('an alarm that rolls the canary back is exit 1 naming it, and the ledger records the release failed with that alarm', async () => {
    fake.nextServiceDeployment = [
      inProgress(10),
      { serviceDeploymentArn: SD, status: 'ROLLBACK_IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', alarms: { triggeredAlarmNames: [alarm('alb-5xx-errors')] } },
      { serviceDeploymentArn: SD, status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'CloudWatch alarm triggered' }, alarms: { triggeredAlarmNames: [alarm('alb-5xx-errors')] } },
    ];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`the rollout of ${f.env.names.ecsService} was rolled back by ECS: alarm ${alarm('alb-5xx-errors')} fired`);
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'failed', rollout: 'failed', rolloutAlarms: [alarm('alb-5xx-errors')] });
    // releases names the alarm next to ECS's verdict.
    const listed = await tapctl(f, ['releases', '--env', 'dev']);
    expect(listed.stdout).toMatch(new RegExp(`000008 {2}failed\\s+failed \\(alarm ${alarm('alb-5xx-errors')}\\)`));
  });

  it('ECS unreadable after CloudFormation finished: rollout-unknown, saying the stack was updated (not "deploy failed") (qa5 P2 #1)', async () => {
    fake.nextServiceDeployment = [inProgress(10)];
    fake.ecs.on(ListServiceDeploymentsCommand).rejects(Object.assign(new Error('Unexpected token < in JSON'), { name: 'SyntaxError', $response: { statusCode: 200, body: '<html>captive portal</html>' } }));
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(result.error.code).toBe('rollout-unknown');
    expect(result.error.message).toMatch(new RegExp(`^${f.env.names.stack} was updated \\(CloudFormation finished\\), but the canary rollout's verdict is unknown: `));
    expect(result.error.hint).toContain('tapctl status --env dev --watch');
    // CloudFormation did finish: the ledger says deployed, nothing claimed of ECS.
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'deployed' });
    expect(fake.parameters.get(`${LEDGER}releases/000008`)).not.toHaveProperty('rollout');
  });

  it('the effective strategy and how long a release takes: in config, deploy --dry-run (text and json) and diff (qa5 P2 #3)', async () => {
    const summary = 'canary 10% for 5m, then 100%; bake 5m (~10m); rolls back on alb-5xx-errors, api-5xx-errors, api-high-latency';
    const dry = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`rollout\\s+${summary.replace(/[()~%]/g, '\\$&')}`));
    const json = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run', '--json']);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, deployment: { strategy: 'canary', summary } });
    const diff = await tapctl(f, ['diff', '--env', 'dev', '--json']);
    expect(JSON.parse(diff.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, deployment: { strategy: 'canary', summary } });
    const config = await tapctl(f, ['config', '--env', 'dev', '--json']);
    expect(JSON.parse(config.stdout.trim().split('\n').at(-1)!).deployment).toEqual({ strategy: 'canary', bake: '5m', canary: { percent: 10, wait: '5m' }, alarms: ['alb-5xx-errors', 'api-5xx-errors', 'api-high-latency'], summary });
  });

  describe('a release that fails after the previous one landed in the alternate group (qa5 P1 #2)', () => {
    /** Release 7 runs in the alternate group; the stack's template still records primary 100 (written before ECS shifted). */
    function sevenInAlternate(): void {
      fake.productionRule = { arn: RULE, weights: { [tg()]: 0, [tg2()]: 100 } };
      fake.healthyTargets = { [tg2()]: 2 };
      // CloudFormation's rollback writes the previous template's weights back: all traffic to the group without tasks.
      fake.onRollback = () => (fake.productionRule!.weights = { [tg()]: 100, [tg2()]: 0 });
      fake.outcome = { kind: 'fail', failed: logicalIdOf(t8, 'AWS::ECS::Service'), reason: 'ECS Deployment Circuit Breaker was triggered' };
    }

    it('an alarm rollback: the weights end on the group with the healthy tasks, and the failure says what tapctl did', async () => {
      sevenInAlternate();
      fake.nextServiceDeployment = [inProgress(10), { serviceDeploymentArn: SD, status: 'ROLLBACK_SUCCESSFUL', alarms: { triggeredAlarmNames: [alarm('alb-5xx-errors')] } }];
      const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes', '--json']);
      expect(r.code, r.stderr).toBe(1);
      expect(fake.productionRule!.weights).toEqual({ [tg()]: 0, [tg2()]: 100 });
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
      expect(result.error.message).toContain(`alarm ${alarm('alb-5xx-errors')} fired`);
      expect(result.error.message).toContain(`tapctl moved all of it to ${tg2()}, where the service's 2 healthy tasks run`);
      expect(result.error.details.traffic).toEqual({ action: 'restored', from: tg(), to: tg2(), healthy: { [tg()]: 0, [tg2()]: 2 } });
    });

    it('leaves the rule alone when the traffic is on healthy tasks, and reports (never guesses) when neither group has any', async () => {
      sevenInAlternate();
      fake.onRollback = undefined;
      let r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(1);
      expect(fake.calls('ModifyRule')).toBe(0);
      expect(r.stderr).not.toMatch(/tapctl moved|tapctl left the rule|could not check that the production rule/);

      sevenInAlternate();
      fake.healthyTargets = {};
      r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(1);
      expect(fake.calls('ModifyRule')).toBe(0);
      expect(r.stderr).toContain(`the production rule sends traffic to ${tg()}, which has no healthy tasks, and neither target group has any: tapctl left the rule as it is`);
    });
  });

  describe('rollback', () => {
    /** Two releases ECS ran healthy, the newer (8) running: a rollback goes to 7. */
    function ranEight(): void {
      const fp = configFingerprint(f.env);
      const r8 = releaseRecord(8, { configFingerprint: fp, rollout: 'healthy' });
      seedLedger(fake.parameters, [releaseRecord(7, { configFingerprint: fp, rollout: 'healthy' }), r8], r8);
      deployedWith(fake, t8);
      fake.nextTemplate = t7;
    }

    it('is refused while a rollback alarm fires (ECS would roll it back to the release that fires it), with how to go anyway', async () => {
      ranEight();
      fake.alarms[alarm('api-5xx-errors')] = 'ALARM';
      const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`refusing to roll back 'dev': alarm ${alarm('api-5xx-errors')} (state ALARM) is in ALARM`);
      expect(r.stderr).toContain('take api-5xx-errors out of deployment.alarms (for all at once, also deployment: { strategy: blue-green, bake: 0m }) and add --with-config');
      expect(r.stderr).not.toContain('strategy: rolling');
      expect(fake.calls('ExecuteChangeSet')).toBe(0);
    });

    it('while the bad release is still rolling out, the refusal names the fast way back: stop it with ROLLBACK (qa5 P2 #5)', async () => {
      ranEight();
      fake.alarms[alarm('alb-5xx-errors')] = 'ALARM';
      fake.serviceDeployments = [{ serviceDeploymentArn: SD, status: 'IN_PROGRESS', createdAt: new Date() }];
      const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`the fastest way back is to stop it, which moves all traffic back at once: aws ecs stop-service-deployment --service-deployment-arn ${SD} --stop-type ROLLBACK`);
      expect(fake.calls('ExecuteChangeSet')).toBe(0);
    });

    it('that an alarm rolls back is exit 1 naming it; the rollback release is failed with the alarm, the replaced one untouched', async () => {
      ranEight();
      fake.nextServiceDeployment = [inProgress(10), { serviceDeploymentArn: SD, status: 'ROLLBACK_SUCCESSFUL', alarms: { triggeredAlarmNames: [alarm('api-high-latency')] } }];
      const r = await tapctl(f, ['rollback', '--env', 'dev', '--yes']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`was rolled back by ECS: alarm ${alarm('api-high-latency')} fired`);
      expect(fake.parameters.get(`${LEDGER}releases/000009`)).toMatchObject({ source: 'rollback', from: '000007', outcome: 'failed', rollout: 'failed', rolloutAlarms: [alarm('api-high-latency')] });
      expect(fake.parameters.get(`${LEDGER}releases/000008`)).toMatchObject({ outcome: 'deployed', rollout: 'healthy' });
    });
  });
});
