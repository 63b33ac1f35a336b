/**
 * ECS deployment strategies in the template (config `deployment:`, constructs/service.ts and load-balancer.ts),
 * for both presets behind a load balancer: per strategy the target groups, the production listener rule (weighted,
 * with the origin header condition), the alarms and bake time of the deployment configuration, and the role ECS
 * moves traffic with. And the one property that matters after a blue-green shift: the rule's weights in the
 * template are the live ones deploy read, never values of the template's own that a later synth would reset.
 */
import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { buildApp } from '../../src/infra/app.js';
import { nagErrors, presetEnv } from '../presets/fixtures.js';
import { resolvedEnv } from './fixtures.js';

type Weights = { primary: number; alternate: number };

const ENVS = {
  ecommerce: (overrides: Record<string, unknown>) => resolvedEnv('prod', overrides),
  'catalog-api': (overrides: Record<string, unknown>) => presetEnv('catalog-api', 'prod', overrides),
} as const;
type PresetName = keyof typeof ENVS;

/** The environment as deploy synthesizes it after reading the live rule's weights (deployInputs). */
function withWeights(env: ResolvedEnvironment, trafficWeights: Weights | undefined): ResolvedEnvironment {
  return trafficWeights ? (Object.freeze({ ...env, deployInputs: { secretArns: {}, trafficWeights } }) as ResolvedEnvironment) : env;
}

function synth(preset: PresetName, overrides: Record<string, unknown> = {}, weights?: Weights): { env: ResolvedEnvironment; stack: Stack; template: Template } {
  const env = withWeights(ENVS[preset](overrides), weights);
  const { stack } = buildApp<Stack>(env);
  return { env, stack, template: Template.fromStack(stack) };
}

const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as Array<[string, { Properties: Record<string, any>; DependsOn?: string[] }]>;
const service = (t: Template) => resources(t, 'AWS::ECS::Service')[0]![1].Properties;
const rules = (t: Template) => resources(t, 'AWS::ElasticLoadBalancingV2::ListenerRule');
const targetGroups = (t: Template) => resources(t, 'AWS::ElasticLoadBalancingV2::TargetGroup');
const alarmsByName = (t: Template) => resources(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Record<string, any>);
const idOf = (t: Template, name: string) => targetGroups(t).find(([, r]) => r.Properties.Name === name)![0];

/** Every action that forwards, in rules and listeners' defaults, with the rule's conditions. */
function forwards(t: Template): Array<{ where: string; conditions: any[]; targets: string[] }> {
  const targetsOf = (a: any): string[] => (a.TargetGroupArn ? [a.TargetGroupArn.Ref] : (a.ForwardConfig?.TargetGroups ?? []).map((g: any) => g.TargetGroupArn.Ref));
  const fromRules = rules(t).flatMap(([id, r]) => (r.Properties.Actions as any[]).filter((a) => a.Type === 'forward').map((a) => ({ where: id, conditions: r.Properties.Conditions, targets: targetsOf(a) })));
  const fromListeners = resources(t, 'AWS::ElasticLoadBalancingV2::Listener').flatMap(([id, l]) =>
    (l.Properties.DefaultActions as any[]).filter((a) => a.Type === 'forward').map((a) => ({ where: id, conditions: [], targets: targetsOf(a) })),
  );
  return [...fromRules, ...fromListeners];
}

const STRATEGIES = {
  'blue-green': { deployment: { strategy: 'blue-green', bake: '15m' }, expect: { Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 15 } },
  canary: { deployment: { strategy: 'canary', canary: { percent: 10, wait: '20m' } }, expect: { Strategy: 'CANARY', BakeTimeInMinutes: 10, CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 20 } } },
  linear: { deployment: { strategy: 'linear', bake: '5m', linear: { percent: 25, interval: '3m' } }, expect: { Strategy: 'LINEAR', BakeTimeInMinutes: 5, LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 3 } } },
} as const;

const ROLLBACK_ALARMS: Record<PresetName, string[]> = {
  ecommerce: ['tap-prod-alb-5xx-errors', 'tap-prod-api-5xx-errors', 'tap-prod-api-high-latency'],
  'catalog-api': ['catalog-api-prod-alb-5xx-errors'],
};

describe.each(Object.keys(ENVS) as PresetName[])('%s', (preset) => {
  describe.each(Object.keys(STRATEGIES) as Array<keyof typeof STRATEGIES>)('deployment.strategy %s', (strategy) => {
    const { env, template } = synth(preset, { deployment: STRATEGIES[strategy].deployment });

    it('has a second target group of the same shape, named by the naming module', () => {
      const groups = targetGroups(template).map(([, r]) => r.Properties);
      expect(groups.map((g) => g.Name)).toEqual([env.names.targetGroup, env.names.alternateTargetGroup]);
      const { Name: _a, ...first } = groups[0]!;
      const { Name: _b, ...second } = groups[1]!;
      expect(second).toEqual(first);
    });

    it('forwards to both through one weighted production rule carrying the origin header condition: nothing reaches either group around it', () => {
      const primary = idOf(template, env.names.targetGroup);
      const alternate = idOf(template, env.names.alternateTargetGroup);
      const forwarding = forwards(template);
      expect(forwarding.map((f) => f.targets)).toEqual([[primary, alternate]]);
      expect(forwarding[0]!.conditions).toContainEqual(expect.objectContaining({ Field: 'http-header', HttpHeaderConfig: expect.objectContaining({ HttpHeaderName: 'X-Origin-Verify' }) }));
      const [, rule] = rules(template)[0]!;
      expect(rule.Properties.Actions).toEqual([
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: { Ref: primary }, Weight: 100 },
              { TargetGroupArn: { Ref: alternate }, Weight: 0 },
            ],
          },
        },
      ]);
      // No test listener: the load balancer still listens on the one port CloudFront's prefix list is admitted to.
      expect(resources(template, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties.Port)).toEqual([80]);
    });

    it('hands ECS the alternate target group, the production rule and a role that may change them', () => {
      const [ruleId] = rules(template)[0]!;
      const lb = service(template).LoadBalancers;
      expect(lb).toEqual([
        {
          ContainerName: 'app',
          ContainerPort: env.container.port,
          TargetGroupArn: { Ref: idOf(template, env.names.targetGroup) },
          AdvancedConfiguration: {
            AlternateTargetGroupArn: { Ref: idOf(template, env.names.alternateTargetGroup) },
            ProductionListenerRule: { Ref: ruleId },
            RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/AlternateTargetRole/), 'Arn'] },
          },
        },
      ]);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers']] }],
      });
    });

    it('deploys with the strategy, its steps and bake time, rolled back by the 5XX and latency alarms, without the circuit breaker', () => {
      const config = service(template).DeploymentConfiguration;
      expect(config).toEqual({
        ...STRATEGIES[strategy].expect,
        Alarms: { AlarmNames: ROLLBACK_ALARMS[preset], Enable: true, Rollback: true },
        MaximumPercent: 200,
        MinimumHealthyPercent: 100,
      });
      // The alarms it names are the stack's own.
      const names = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
      expect(names).toEqual(expect.arrayContaining(ROLLBACK_ALARMS[preset]));
    });

    it('the unhealthy-targets alarm watches both target groups: the tasks live in whichever ECS moved them to (qa5 P2 #2)', () => {
      const unhealthy = alarmsByName(template).find((a) => a.AlarmName.endsWith('alb-unhealthy-targets'))!;
      const groups = (unhealthy.Metrics as any[]).filter((m) => m.MetricStat).map((m) => JSON.stringify(m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'TargetGroup').Value));
      expect(unhealthy.Metrics.find((m: any) => m.Expression)).toMatchObject({ Expression: 'FILL(tg1, 0) + FILL(tg2, 0)', ReturnData: true });
      expect(groups).toHaveLength(2);
      for (const name of [env.names.targetGroup, env.names.alternateTargetGroup]) expect(groups.some((g) => g.includes(idOf(template, name)))).toBe(true);
    });

    it('the load balancer 5XX alarm is sized for the rollout: 1-minute periods, 2 of 3, the ELB\'s own 5XX counted too (qa5 P2 #4)', () => {
      const alb = alarmsByName(template).find((a) => a.AlarmName.endsWith('alb-5xx-errors'))!;
      expect(alb).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 2 });
      const metrics = (alb.Metrics as any[]).filter((m) => m.MetricStat).map((m) => [m.MetricStat.Metric.MetricName, m.MetricStat.Period]);
      expect(metrics).toEqual(expect.arrayContaining([['HTTPCode_Target_5XX_Count', 60], ['HTTPCode_ELB_5XX_Count', 60]]));
      if (preset === 'ecommerce') {
        const api5xx = alarmsByName(template).find((a) => a.AlarmName.endsWith('api-5xx-errors'))!;
        expect(api5xx).toMatchObject({ Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 2 });
        // An alarm that rolls nothing back keeps tapstack.md's 5 minutes.
        expect(alarmsByName(template).find((a) => a.AlarmName.endsWith('api-4xx-errors'))).toMatchObject({ Period: 300, EvaluationPeriods: 2 });
      }
    });
  });

  it('rolling (the default outside production) keeps one target group, the plain forward rule and the circuit breaker', () => {
    const { template } = synth(preset, { deployment: { strategy: 'rolling' } });
    expect(targetGroups(template)).toHaveLength(1);
    expect(rules(template)[0]![1].Properties.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: targetGroups(template)[0]![0] } }]);
    // Strategy ROLLING written out: going back from canary never relies on ECS resetting a vanished property (qa5 P3).
    expect(service(template).DeploymentConfiguration).toEqual({ Strategy: 'ROLLING', DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MaximumPercent: 200, MinimumHealthyPercent: 100 });
    // One target group: the unhealthy-targets alarm is the plain metric; the 5XX alarm keeps its 5-minute period.
    const alarms = alarmsByName(template);
    expect(alarms.find((a) => a.AlarmName.endsWith('alb-unhealthy-targets'))!.MetricName).toBe('UnHealthyHostCount');
    expect(alarms.find((a) => a.AlarmName.endsWith('alb-5xx-errors'))).toMatchObject({ MetricName: 'HTTPCode_Target_5XX_Count', Period: 300 });
    expect(service(template).LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
  });

  it('is cdk-nag clean with every strategy (the role\'s AWS managed policy suppressed with its reason)', () => {
    for (const strategy of Object.keys(STRATEGIES) as Array<keyof typeof STRATEGIES>) {
      expect(nagErrors(ENVS[preset]({ deployment: STRATEGIES[strategy].deployment })), strategy).toEqual([]);
    }
  });

  it('synthesizes with no warning: the circuit breaker warning of aws-cdk-lib is acknowledged with its reason', () => {
    const { stack } = synth(preset, { deployment: { strategy: 'canary' } });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('the production rule\'s weights belong to ECS, not to the template', () => {
  // ECS leaves the rule at 0 / 100 after it moved a release to the alternate target group.
  const afterShift = { primary: 0, alternate: 100 };
  const weightsOf = (t: Template) =>
    (rules(t)[0]![1].Properties.Actions[0].ForwardConfig.TargetGroups as Array<{ TargetGroupArn: { Ref: string }; Weight: number }>).map((g) => [g.TargetGroupArn.Ref, g.Weight]);

  it.each(Object.keys(ENVS) as PresetName[])('%s: a later synth carries the live weights deploy read, whatever else changes in the rule', (preset) => {
    // GIVEN a canary environment whose last release ECS moved to the alternate target group
    const before = synth(preset, {}, afterShift);
    const primary = idOf(before.template, before.env.names.targetGroup);
    const alternate = idOf(before.template, before.env.names.alternateTargetGroup);
    expect(weightsOf(before.template)).toEqual([
      [primary, 0],
      [alternate, 100],
    ]);
    // WHEN an infrastructure change makes CloudFormation update the rule itself: the origin header rotates, so
    // its conditions change and CloudFormation sends the whole rule again
    const rotated = synth(preset, { origin: { secretGeneration: 2 } }, afterShift);
    const [, rule] = rules(rotated.template)[0]!;
    expect(JSON.stringify(rule.Properties.Conditions)).toContain('origin-verify-2');
    // THEN the weights it sends are still ECS's: the traffic stays where ECS put it
    expect(weightsOf(rotated.template)).toEqual([
      [primary, 0],
      [alternate, 100],
    ]);
  });

  it('a stack never deployed with the strategy (no live rule to read) starts with everything on the first target group', () => {
    const fresh = synth('ecommerce');
    expect(weightsOf(fresh.template).map(([, w]) => w)).toEqual([100, 0]);
  });
});
