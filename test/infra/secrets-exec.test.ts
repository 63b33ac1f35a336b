/**
 * The app secrets (container.secrets) and ECS Exec (container.exec) in the template: ECS `secrets` by ARN,
 * exactly those ARNs readable by the execution role, ssmmessages on the task role only when exec is on, and the
 * forced-deployment nonce. Both service presets build the same task definition.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironment, type ResolvedEnvironment } from '../../src/config/resolve.js';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { buildApp } from '../../src/infra/app.js';
import { ACCOUNTS, only, REGION, resolvedEnv, synthStack, type SynthesizedStack } from './fixtures.js';

const ARN = (name: string, suffix: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNTS.dev}:secret:tapctl/tap/dev/${name}-${suffix}`;
const SSM_MESSAGES = ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'];

/** Every IAM statement of the role whose logical ID starts with `role`. */
function statements(t: Template, role: string): Array<Record<string, any>> {
  return Object.entries(t.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(role))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
}
const container = (t: Template) => only(t, 'AWS::ECS::TaskDefinition').resource.Properties.ContainerDefinitions[0];
const service = (t: Template) => only(t, 'AWS::ECS::Service').resource.Properties;

/** Synthesizes `env` as a deploy would, with what it resolved from AWS. */
function deployed(env: ResolvedEnvironment, inputs: NonNullable<ResolvedEnvironment['deployInputs']>): Template {
  return Template.fromStack(buildApp({ ...env, deployInputs: inputs } as ResolvedEnvironment).stack);
}

describe('app secrets and ECS Exec in the template', () => {
  let plain: SynthesizedStack;
  beforeAll(() => {
    plain = synthStack('dev');
  });

  it('GIVEN neither THEN the container gets DB_SECRET only, the service no exec, the task role no ssmmessages', () => {
    expect(container(plain.template).Secrets.map((s: { Name: string }) => s.Name)).toEqual(['DB_SECRET']);
    expect(service(plain.template).EnableExecuteCommand).toBeUndefined();
    expect(service(plain.template).ForceNewDeployment).toBeUndefined();
    expect(JSON.stringify(statements(plain.template, 'ServiceTaskRole'))).not.toContain('ssmmessages');
  });

  it('GIVEN secrets resolved by a deploy THEN each is an ECS secret by its full ARN, readable (GetSecretValue only) by the execution role alone', () => {
    const env = resolvedEnv('dev', { container: { secrets: ['STRIPE_KEY', 'SMTP_PASSWORD'] } });
    const t = deployed(env, { secretArns: { STRIPE_KEY: ARN('STRIPE_KEY', 'Ab12Cd'), SMTP_PASSWORD: ARN('SMTP_PASSWORD', 'xY98zW') } });
    expect(container(t).Secrets[0].Name).toBe('DB_SECRET');
    expect(container(t).Secrets.slice(1)).toEqual([
      { Name: 'STRIPE_KEY', ValueFrom: ARN('STRIPE_KEY', 'Ab12Cd') },
      { Name: 'SMTP_PASSWORD', ValueFrom: ARN('SMTP_PASSWORD', 'xY98zW') },
    ]);
    // Never a plain value in the task definition.
    expect((container(t).Environment as Array<{ Name: string }>).map((e) => e.Name)).not.toEqual(expect.arrayContaining(['STRIPE_KEY']));
    const exec = statements(t, 'ServiceTaskExecutionRole').filter((s) => JSON.stringify(s.Resource).includes('tapctl/'));
    // One statement (CDK merges statements of one action): exactly these ARNs, no wildcard, no DescribeSecret.
    expect(exec).toEqual([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: [ARN('SMTP_PASSWORD', 'xY98zW'), ARN('STRIPE_KEY', 'Ab12Cd')] }]);
    // It decrypts them with the environment's key, which it could already use for the log group and DB_SECRET.
    expect(statements(t, 'ServiceTaskExecutionRole')).toContainEqual(expect.objectContaining({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EncryptionMasterKey/), 'Arn'] } }));
    expect(JSON.stringify(statements(t, 'ServiceTaskRole'))).not.toContain('tapctl/');
  });

  it('GIVEN secrets synthesized without AWS THEN their partial ARNs, and the execution role reads exactly <name>-??????', () => {
    const t = synthStack('dev', { container: { secrets: ['STRIPE_KEY'] } }).template;
    const partial = `arn:aws:secretsmanager:${REGION}:${ACCOUNTS.dev}:secret:tapctl/tap/dev/STRIPE_KEY`;
    expect(container(t).Secrets).toContainEqual({ Name: 'STRIPE_KEY', ValueFrom: partial });
    expect(statements(t, 'ServiceTaskExecutionRole')).toContainEqual({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: `${partial}-??????` });
  });

  it('GIVEN exec THEN enableExecuteCommand on the service and the ssmmessages channels on the task role, not on the execution role', () => {
    const t = synthStack('dev', { container: { exec: true } }).template;
    expect(service(t).EnableExecuteCommand).toBe(true);
    expect(statements(t, 'ServiceTaskRole')).toContainEqual({ Action: SSM_MESSAGES, Effect: 'Allow', Resource: '*' });
    expect(JSON.stringify(statements(t, 'ServiceTaskExecutionRole'))).not.toContain('ssmmessages');
  });

  it('GIVEN a rollout nonce THEN ForceNewDeployment carries it', () => {
    const t = deployed(resolvedEnv('dev'), { secretArns: {}, rolloutNonce: 'secrets-2026-11-29T08:00:00.000Z' });
    expect(service(t).ForceNewDeployment).toEqual({ EnableForceNewDeployment: true, ForceNewDeploymentNonce: 'secrets-2026-11-29T08:00:00.000Z' });
  });

  it('the catalog-api preset builds the same: secrets by ARN, exec', () => {
    const raw = { project: 'tap', preset: 'catalog-api', defaults: { alarms: { email: 'ops@tap.io' } }, environments: { dev: { account: ACCOUNTS.dev, region: REGION, container: { secrets: ['STRIPE_KEY'], exec: true } } } };
    // Built like the fixtures build the ecommerce preset, from the file as parsed.
    const t = Template.fromStack(buildApp(catalogEnv(raw)).stack);
    expect(container(t).Secrets).toContainEqual({ Name: 'STRIPE_KEY', ValueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNTS.dev}:secret:tapctl/tap/dev/STRIPE_KEY` });
    expect(service(t).EnableExecuteCommand).toBe(true);
  });
});

function catalogEnv(raw: Record<string, unknown>): ResolvedEnvironment {
  return resolveEnvironment(ConfigFileSchema.parse(raw), raw, 'dev');
}
