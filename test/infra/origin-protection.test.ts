/**
 * The load balancer answers CloudFront only (constructs/origin-protection.ts), in both presets that have one:
 * CloudFront's prefix list is the security group's only inbound rule, and the listener serves only requests with
 * the secret header, whose value reaches the template as a dynamic reference, never as a literal.
 */
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthCatalog } from '../presets/fixtures.js';
import { lid, synthStack } from './fixtures.js';

/** Every inbound rule of the template's security groups, inline or as its own resource, with the group's logical ID. */
function inboundRules(template: Template): Array<{ group: unknown; rule: Record<string, unknown> }> {
  const inline = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).flatMap(([id, r]) =>
    ((r.Properties.SecurityGroupIngress ?? []) as Array<Record<string, unknown>>).map((rule) => ({ group: id, rule })),
  );
  const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => ({
    group: (r.Properties.GroupId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
    rule: r.Properties as Record<string, unknown>,
  }));
  return [...inline, ...separate];
}

/** `{{resolve:secretsmanager:<secret name>:SecretString:::}}` as CloudFormation gets it: a reference, not a value. */
const dynamicReference = (secretName: string) => `{{resolve:secretsmanager:${secretName}:SecretString:::}}`;

const PRESETS = {
  ecommerce: () => {
    const s = synthStack('dev');
    return { template: s.template, albGroup: lid(s.stack, s.stack.network.albSecurityGroup), secret: s.stack.originSecret, stack: s.stack, secretName: `${s.env.names.originSecret}-1` };
  },
  'catalog-api': () => {
    const s = synthCatalog('dev');
    return { template: s.template, albGroup: lid(s.stack, s.stack.albSecurityGroup), secret: s.stack.originSecret, stack: s.stack, secretName: `${s.stack.names.originSecret}-1` };
  },
} as const;

describe.each(Object.keys(PRESETS) as Array<keyof typeof PRESETS>)('origin protection (%s)', (preset) => {
  let built: ReturnType<(typeof PRESETS)[typeof preset]>;
  beforeAll(() => {
    // GIVEN the preset's development environment, no domain
    built = PRESETS[preset]();
  });

  it('opens nothing to 0.0.0.0/0 or ::/0 on the load balancer; its one inbound rule is CloudFront\'s prefix list on 80', () => {
    const rules = inboundRules(built.template).filter((r) => r.group === built.albGroup);
    expect(rules.map((r) => r.rule)).toEqual([
      { SourcePrefixListId: preset === 'ecommerce' ? 'pl-3b927c52' : 'pl-fab65393', IpProtocol: 'tcp', FromPort: 80, ToPort: 80, Description: 'HTTP from CloudFront only (origin-facing prefix list)' },
    ]);
    // No other group of the stack is open to the internet either.
    expect(inboundRules(built.template).filter((r) => r.rule.CidrIp === '0.0.0.0/0' || r.rule.CidrIpv6 === '::/0')).toEqual([]);
  });

  it('generates the header value in Secrets Manager (named by the naming module): no literal in the template', () => {
    const secrets = built.template.findResources('AWS::SecretsManager::Secret', { Properties: { Description: Match.stringLikeRegexp('X-Origin-Verify') } });
    expect(Object.values(secrets).map((s) => [s.Properties.Name, s.Properties.GenerateSecretString])).toEqual([
      [built.secretName, { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 48 }],
    ]);
    expect(built.secretName).toMatch(/^[a-z-]+\/dev\/origin-verify-1$/);
    expect(Object.values(secrets)[0]?.Properties.SecretString).toBeUndefined();
  });

  it('serves only requests whose X-Origin-Verify header carries the secret, 403 to the rest; the rule waits for the secret', () => {
    const secret = lid(built.stack, built.secret.secrets[0]!);
    const rule = Object.values(built.template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))[0]!;
    expect(rule.Properties.Conditions).toContainEqual({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [dynamicReference(built.secretName)] } });
    expect(rule.Properties.Actions).toEqual([expect.objectContaining({ Type: 'forward' })]);
    // A reference by name holds no Ref: the order is an explicit DependsOn.
    expect(rule.DependsOn).toContain(secret);
    built.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } }],
    });
  });

  it('has CloudFront add the header to its requests to the load balancer, over HTTP without a certificate, after the secret exists', () => {
    const secret = lid(built.stack, built.secret.secrets[0]!);
    built.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: Match.arrayWith([
          Match.objectLike({
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'http-only', HTTPPort: 80 }),
            OriginCustomHeaders: [{ HeaderName: 'X-Origin-Verify', HeaderValue: dynamicReference(built.secretName) }],
          }),
        ]),
      }),
    });
    expect(Object.values(built.template.findResources('AWS::CloudFront::Distribution'))[0]!.DependsOn).toContain(secret);
  });
});

describe('origin protection without a domain adds nothing else', () => {
  it('the development template has no certificate, record, web ACL, custom domain or HTTPS listener; one listener, one rule, one secret more', () => {
    const { template } = synthStack('dev');
    for (const type of ['AWS::CertificateManager::Certificate', 'AWS::Route53::RecordSet', 'AWS::WAFv2::WebACL', 'AWS::ApiGateway::DomainName', 'AWS::ApiGateway::BasePathMapping']) {
      template.resourceCountIs(type, 0);
    }
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    // The database credentials and the origin header's generation 1.
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
  });
});

describe('the shop reaches its API through CloudFront (ecommerce)', () => {
  it('sends /api/* and the health path to the load balancer uncached, every method, every viewer header but Host', () => {
    const { template } = synthStack('dev');
    for (const path of ['/api/*', '/health']) {
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          CacheBehaviors: Match.arrayWith([
            Match.objectLike({
              PathPattern: path,
              AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
              CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
              OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
              ViewerProtocolPolicy: 'redirect-to-https',
            }),
          ]),
        }),
      });
    }
  });

  it('leaves a health path under /api/ to the /api/* behaviour', () => {
    const { template } = synthStack('dev', { container: { healthCheckPath: '/api/health' } });
    const behaviors = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.CacheBehaviors as Array<{ PathPattern: string }>;
    expect(behaviors.map((b) => b.PathPattern)).toEqual(['/static/js/*', '/static/css/*', '/api/*']);
  });
});

describe('rotation (origin.secretGeneration)', () => {
  it('generation 3: CloudFront sends generation 3, the listener accepts 3 and 2, and generation 1 is gone', () => {
    // GIVEN a rotated environment
    const { stack, template, env } = synthStack('dev', { origin: { secretGeneration: 3 } });
    // THEN one secret per accepted generation, the current one first
    const [current, previous] = [3, 2].map((g) => `${env.names.originSecret}-${g}`);
    expect(stack.originSecret.secrets.map((s) => s.node.id)).toEqual(['Generation3', 'Generation2']);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [dynamicReference(current!), dynamicReference(previous!)] } }]),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: Match.arrayWith([Match.objectLike({ OriginCustomHeaders: [{ HeaderName: 'X-Origin-Verify', HeaderValue: dynamicReference(current!) }] })]),
      }),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/OriginSecretGeneration1|origin-verify-1/);
  });

  it('keeps the logical ID of a generation across deploys, so a rotation replaces no secret the listener still accepts', () => {
    const second = synthStack('dev', { origin: { secretGeneration: 2 } });
    const third = synthStack('dev', { origin: { secretGeneration: 3 } });
    expect(lid(second.stack, second.stack.originSecret.secrets[0]!)).toBe(lid(third.stack, third.stack.originSecret.secrets[1]!));
  });
});

describe('the prefix list', () => {
  it('is the one deploy resolved (origin.prefixListId) when there is one', () => {
    const { template, stack } = synthStack('dev', { origin: { prefixListId: 'pl-0123456789abcdef0' } });
    expect(inboundRules(template).filter((r) => r.group === lid(stack, stack.network.albSecurityGroup)).map((r) => r.rule.SourcePrefixListId)).toEqual(['pl-0123456789abcdef0']);
  });
});

describe('the order of a rollout', () => {
  const dependsOn = (template: Template, type: string) => (Object.values(template.findResources(type))[0]!.DependsOn ?? []) as string[];

  it.each(['ecommerce', 'catalog-api'] as const)('%s, generation 1 (the first deploy with the check): the distribution sends the header before the listener requires it', (preset) => {
    const { template, stack } = preset === 'ecommerce' ? synthStack('dev') : synthCatalog('dev');
    const distribution = lid(stack, preset === 'ecommerce' ? (stack as ReturnType<typeof synthStack>['stack']).edge.distribution : (stack as ReturnType<typeof synthCatalog>['stack']).cdn.distribution);
    expect(dependsOn(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')).toContain(distribution);
    // The listener too: its default becomes 403 (the catalog's forwarded everything before).
    expect(dependsOn(template, 'AWS::ElasticLoadBalancingV2::Listener')).toContain(distribution);
  });

  it('a rotation (generation 2 and up): the listener accepts the new value before the distribution sends it', () => {
    const { template, stack } = synthStack('dev', { origin: { secretGeneration: 2 } });
    expect(dependsOn(template, 'AWS::CloudFront::Distribution')).toContain(lid(stack, stack.service.loadBalancing.trafficRule!));
    expect(dependsOn(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')).not.toContain(lid(stack, stack.edge.distribution));
  });
});

describe('a region the offline table does not know', () => {
  it('synthesizes with a placeholder and a warning that says deploy puts the region\'s own', () => {
    // GIVEN a region without a table entry (il-central-1) and no pinned ID
    const { stack, template } = synthStack('dev', { region: 'il-central-1' });
    const rules = inboundRules(template).filter((r) => r.group === lid(stack, stack.network.albSecurityGroup));
    expect(rules.map((r) => r.rule.SourcePrefixListId)).toEqual(['pl-00000000']);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp("CloudFront's prefix list of il-central-1 is not in tapctl's table"));
    expect(warnings).toHaveLength(1);
  });
});
