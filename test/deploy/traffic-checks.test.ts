/** The pure parts of deploy's gradual-deployment preflight (src/deploy/traffic-checks.ts). */
import { describe, expect, it } from 'vitest';
import type { Template } from '../../src/aws/stack-details.js';
import { targetGroupName, isSplit } from '../../src/aws/traffic.js';
import { hasProductionRule, startsServiceDeployment } from '../../src/deploy/traffic-checks.js';

const stack = (service: Record<string, unknown>, image = 'repo@sha256:1'): Template =>
  ({
    Resources: {
      Service: { Type: 'AWS::ECS::Service', Properties: { DesiredCount: 2, Tags: [{ Key: 'a', Value: '1' }], TaskDefinition: { Ref: 'TaskDef' }, ...service } },
      TaskDef: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'app', Image: image }] } },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } },
    },
  }) as unknown as Template;

describe('startsServiceDeployment', () => {
  it('is true for a new image or another service setting, and for a stack not deployed yet', () => {
    expect(startsServiceDeployment(stack({}), stack({}, 'repo@sha256:2'))).toBe(true);
    expect(startsServiceDeployment(stack({}), stack({ HealthCheckGracePeriodSeconds: 90 }))).toBe(true);
    expect(startsServiceDeployment(undefined, stack({}))).toBe(true);
  });

  it('is false when only the desired count, the tags or other resources change: ECS starts no deployment for those', () => {
    expect(startsServiceDeployment(stack({}), stack({ DesiredCount: 4, Tags: [{ Key: 'a', Value: '2' }] }))).toBe(false);
    const other = stack({});
    (other.Resources as Record<string, any>).Bucket.Properties.BucketName = 'c';
    expect(startsServiceDeployment(stack({}), other)).toBe(false);
  });
});

describe('the production rule', () => {
  it('is in a deployed template whose service has an AdvancedConfiguration', () => {
    expect(hasProductionRule(stack({ LoadBalancers: [{ TargetGroupArn: 'tg', AdvancedConfiguration: { ProductionListenerRule: 'rule' } }] }))).toBe(true);
    expect(hasProductionRule(stack({ LoadBalancers: [{ TargetGroupArn: 'tg' }] }))).toBe(false);
    expect(hasProductionRule(undefined)).toBe(false);
  });

  it('tells target groups apart by the name in their ARN, and calls traffic on both split', () => {
    expect(targetGroupName('arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/shop-tg2-prod/0123456789abcdef')).toBe('shop-tg2-prod');
    expect(isSplit({ primary: 95, alternate: 5 })).toBe(true);
    expect(isSplit({ primary: 0, alternate: 100 })).toBe(false);
  });
});
