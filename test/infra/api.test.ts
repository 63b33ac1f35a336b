import { runInNewContext } from 'node:vm';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROCESSOR_CODE } from '../../src/infra/constructs/api.js';
import { getAtt, lid, only, ref, synthStack, type SynthesizedStack } from './fixtures.js';

describe('ProcessorApi', () => {
  let dev: SynthesizedStack;
  let logging: SynthesizedStack;
  beforeAll(() => {
    // GIVEN the default development stack (logging OFF) and one with INFO logging and data trace
    dev = synthStack('dev');
    logging = synthStack('dev', { api: { loggingLevel: 'INFO', dataTrace: true } });
  });

  describe('processor function (§8.1)', () => {
    it('runs the configured Node.js runtime in the private subnets with the Lambda security group', () => {
      const privateSubnets = dev.stack.network.vpc.privateSubnets.map((s) => ref(lid(dev.stack, s)));
      dev.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: dev.env.names.processorFunction,
        Runtime: dev.env.lambda.runtime,
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 30,
        Role: getAtt(lid(dev.stack, dev.stack.api.role), 'Arn'),
        VpcConfig: {
          SubnetIds: privateSubnets,
          SecurityGroupIds: [getAtt(lid(dev.stack, dev.stack.network.lambdaSecurityGroup), 'GroupId')],
        },
        Environment: {
          Variables: {
            ENVIRONMENT: 'development',
            DB_SECRET_ARN: ref(only(dev.template, 'AWS::SecretsManager::SecretTargetAttachment').logicalId),
          },
        },
        LoggingConfig: { LogGroup: ref(lid(dev.stack, dev.stack.api.logGroup)) },
      });
    });

    it('takes another runtime, memory and timeout from the config', () => {
      const s = synthStack('dev', { lambda: { runtime: 'nodejs24.x', memoryMb: 1024, timeoutSeconds: 10 } });
      s.template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', MemorySize: 1024, Timeout: 10 });
    });

    it('logs to its own KMS-encrypted 7-day log group, deleted with the stack', () => {
      const { resource } = only(dev.template, 'AWS::Logs::LogGroup', { Properties: { LogGroupName: dev.env.names.processorLogGroup } });
      expect(resource.Properties).toMatchObject({ RetentionInDays: 7, KmsKeyId: getAtt(lid(dev.stack, dev.stack.encryption.key), 'Arn') });
      expect(resource.DeletionPolicy).toBe('Delete');
    });

    it('has a role with the VPC execution policy, secret read and KMS decrypt (§5.4)', () => {
      dev.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
        ManagedPolicyArns: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] },
        ],
      });
      const { resource } = only(dev.template, 'AWS::IAM::Policy', { Properties: { Roles: [ref(lid(dev.stack, dev.stack.api.role))] } });
      expect(resource.Properties.PolicyDocument.Statement.map((s: any) => s.Action)).toEqual([
        ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        'kms:Decrypt',
      ]);
    });

    it('ships a handler that answers 200 JSON and does not log the request headers', async () => {
      // GIVEN the inline code as Lambda would load it
      const module = { exports: {} as { handler?: (e: unknown) => Promise<any> } };
      const logged: string[] = [];
      runInNewContext(PROCESSOR_CODE, { exports: module.exports, module, console: { log: (...a: unknown[]) => logged.push(a.join(' ')) } });
      // WHEN it handles an API Gateway event carrying an API key
      const result = await module.exports.handler!({ path: '/process', headers: { 'x-api-key': 'SECRET' } });
      // THEN
      expect(result.statusCode).toBe(200);
      expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
      const body = JSON.parse(result.body);
      expect(body.message).toBe('Lambda function executed successfully');
      expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
      expect(logged.join('\n')).toContain('/process');
      expect(logged.join('\n')).not.toContain('SECRET');
      // and that code is what the template deploys
      dev.template.hasResourceProperties('AWS::Lambda::Function', { Code: { ZipFile: PROCESSOR_CODE } });
    });
  });

  describe('REST API and stage (§8.2)', () => {
    it('is a regional API named by the config', () => {
      dev.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: dev.env.names.restApi,
        Description: 'API Gateway for e-commerce application',
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
    });

    it('deploys a stage named after the environment kind, throttled, with metrics and tracing, logging OFF', () => {
      dev.template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'development',
        TracingEnabled: true,
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            MetricsEnabled: true,
            LoggingLevel: 'OFF',
            DataTraceEnabled: false,
            ThrottlingRateLimit: 1000,
            ThrottlingBurstLimit: 2000,
          },
        ],
      });
      const stage = only(dev.template, 'AWS::ApiGateway::Stage').resource.Properties;
      expect(stage.AccessLogSetting).toBeUndefined();
    });

    it('with logging OFF creates no account-level CloudWatch role (failure #19)', () => {
      dev.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    });

    it('with logging on, logs executions and access, and leaves the account CloudWatch role (an account singleton) out of the stack', () => {
      logging.template.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO', DataTraceEnabled: true })],
        AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') }),
      });
      // tapctl bootstrap sets it once per account and region; a stack that declared it would set it for every
      // API of the region and delete it with itself.
      logging.template.resourceCountIs('AWS::ApiGateway::Account', 0);
      const pushPolicy = Object.values(logging.template.findResources('AWS::IAM::Role')).filter((r) => JSON.stringify(r).includes('AmazonAPIGatewayPushToCloudWatchLogs'));
      expect(pushPolicy).toEqual([]);
    });

    it('adds no Endpoint output of its own (the stack exports APIGatewayURL)', () => {
      expect(Object.keys(dev.template.findOutputs('*')).filter((k) => k.includes('EcommerceAPIEndpoint'))).toEqual([]);
    });
  });

  describe('API key and usage plan (§8.3)', () => {
    it('issues one enabled API key', () => {
      dev.template.hasResourceProperties('AWS::ApiGateway::ApiKey', {
        Name: dev.env.names.apiKey,
        Description: 'API Key for e-commerce API - development',
        Enabled: true,
      });
    });

    it('binds it to a usage plan on the stage: 1000 rps, burst 2000, 1,000,000 a month', () => {
      const stage = lid(dev.stack, dev.stack.api.api.deploymentStage);
      dev.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: dev.env.names.usagePlan,
        Description: 'Usage plan for development environment',
        Throttle: { RateLimit: 1000, BurstLimit: 2000 },
        Quota: { Limit: 1_000_000, Period: 'MONTH' },
        ApiStages: [Match.objectLike({ ApiId: ref(lid(dev.stack, dev.stack.api.api)), Stage: ref(stage) })],
      });
      dev.template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
        KeyType: 'API_KEY',
        KeyId: ref(lid(dev.stack, dev.stack.api.apiKey)),
        UsagePlanId: ref(lid(dev.stack, dev.stack.api.usagePlan)),
      });
    });

    it('takes limits from the config', () => {
      const s = synthStack('dev', { api: { throttleRateLimit: 50, throttleBurstLimit: 100, quotaPerMonth: 5000 } });
      s.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Throttle: { RateLimit: 50, BurstLimit: 100 },
        Quota: { Limit: 5000, Period: 'MONTH' },
      });
      s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
      });
    });
  });

  describe('resources and integrations (§8.4)', () => {
    it('has /api/{proxy+}, /process and /health', () => {
      const parts = Object.values(dev.template.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
      expect(parts.sort()).toEqual(['api', 'health', 'process', '{proxy+}']);
    });

    it('proxies ANY /api/{proxy+} through CloudFront to the load balancer (its only client), API key required', () => {
      dev.template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'ANY',
        ApiKeyRequired: true,
        RequestParameters: { 'method.request.path.proxy': true },
        Integration: {
          Type: 'HTTP_PROXY',
          IntegrationHttpMethod: 'ANY',
          ConnectionType: 'INTERNET',
          Uri: { 'Fn::Join': ['', ['https://', getAtt(lid(dev.stack, dev.stack.edge.distribution), 'DomainName'), '/api/{proxy}']] },
          RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        },
      });
    });

    it('sends POST /process to the function (Lambda proxy), API key required', () => {
      dev.template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        ApiKeyRequired: true,
        Integration: Match.objectLike({
          Type: 'AWS_PROXY',
          Uri: { 'Fn::Join': ['', Match.arrayWith([getAtt(lid(dev.stack, dev.stack.api.function), 'Arn')])] },
        }),
      });
    });

    it('answers GET /health from a mock without an API key', () => {
      const { resource } = only(dev.template, 'AWS::ApiGateway::Method', { Properties: { HttpMethod: 'GET' } });
      expect(resource.Properties.ApiKeyRequired).toBeUndefined();
      expect(resource.Properties).toMatchObject({
        Integration: {
          Type: 'MOCK',
          RequestTemplates: { 'application/json': '{"statusCode": 200}' },
          IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { 'application/json': '{"status": "healthy"}' } }],
        },
        MethodResponses: [{ StatusCode: '200' }],
      });
    });

    it('validates request parameters and bodies of the keyed methods', () => {
      const validator = only(dev.template, 'AWS::ApiGateway::RequestValidator', {
        Properties: { ValidateRequestBody: true, ValidateRequestParameters: true },
      }).logicalId;
      const keyed = Object.values(dev.template.findResources('AWS::ApiGateway::Method', { Properties: { ApiKeyRequired: true } }));
      expect(keyed.map((m) => m.Properties.RequestValidatorId)).toEqual([ref(validator), ref(validator)]);
    });
  });
});
