/**
 * tapstack.md §8: the processor Lambda function and the REST API (stage, usage plan, API key, resources).
 */
import cdk = require('aws-cdk-lib');
import Duration = cdk.Duration;
import RemovalPolicy = cdk.RemovalPolicy;
import apigw = require('aws-cdk-lib/aws-apigateway');
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import ec2 = require('aws-cdk-lib/aws-ec2');
import iam = require('aws-cdk-lib/aws-iam');
import type * as kms from 'aws-cdk-lib/aws-kms';
import lambda = require('aws-cdk-lib/aws-lambda');
import logs = require('aws-cdk-lib/aws-logs');
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { suppressNag } from '../nag-suppressions.js';

/**
 * The processor's inline handler (tapstack.md §8.1). It logs the request without its headers: they carry the
 * caller's API key.
 */
export const PROCESSOR_CODE = `exports.handler = async (event) => {
  const { headers, multiValueHeaders, ...request } = event ?? {};
  console.log('Event:', JSON.stringify(request));
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'Lambda function executed successfully', timestamp: new Date().toISOString() }),
  };
};
`;

export type ApiLoggingLevel = 'OFF' | 'ERROR' | 'INFO';

/** Physical names of the API's resources. */
export interface ProcessorApiNames {
  readonly function: string;
  readonly logGroup: string;
  readonly restApi: string;
  readonly usagePlan: string;
  readonly apiKey: string;
}

export interface ProcessorApiProps {
  readonly vpc: ec2.IVpc;
  readonly names: ProcessorApiNames;
  /** Security group of the function. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Key of the function's log group; the function role may decrypt with it. */
  readonly encryptionKey: kms.IKey;
  /** The function may read it; its ARN is the function's `DB_SECRET_ARN`. */
  readonly databaseSecret: secretsmanager.ISecret;
  /**
   * Base URL the `/api/{proxy+}` resource forwards to: `<backendUrl>/api/{proxy}`. The site's CloudFront
   * distribution (https://...), since the load balancer admits CloudFront only (tapstack.md §8.4 had
   * http://<ALB DNS>).
   */
  readonly backendUrl: string;
  /** Environment kind: the stage name, the function's `ENVIRONMENT`, the API key description. */
  readonly environmentKind: string;
  /** Lambda runtime name (a Node.js runtime: the code is inline JavaScript). @default 'nodejs22.x' */
  readonly runtime?: string;
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_WEEK */
  readonly logRetention?: logs.RetentionDays;
  /** Stage and usage-plan rate, requests/second. @default 1000 */
  readonly throttleRateLimit?: number;
  /** Stage and usage-plan burst. @default 2000 */
  readonly throttleBurstLimit?: number;
  /** Usage-plan quota, requests per month. @default 1_000_000 */
  readonly quotaPerMonth?: number;
  /**
   * Stage execution logging. Anything but OFF also turns on access logging. Both need the account's API Gateway
   * CloudWatch role, an account singleton (src/aws/account-singletons.ts) that this construct never declares:
   * `tapctl bootstrap` sets it once per account and region, and deploy's preflight requires it
   * (failure-lessons.md #19).
   *
   * @default 'OFF'
   */
  readonly loggingLevel?: ApiLoggingLevel;
  /** @default false */
  readonly dataTrace?: boolean;
  /** X-Ray tracing on the stage. @default true */
  readonly tracing?: boolean;
  /**
   * Serve the stage under this name (a regional custom domain; its certificate in the stack's region), at the
   * root path: `https://api.<domain>/process`.
   *
   * @default - the execute-api URL only
   */
  readonly customDomain?: { readonly name: string; readonly certificate: acm.ICertificate };
}

/** REST API with an API-key-protected proxy to the load balancer, a Lambda-backed /process and a mock /health. */
export class ProcessorApi extends Construct {
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** The stage's access logs, when logging is on (loggingLevel other than OFF). */
  public readonly accessLogGroup?: logs.LogGroup;
  /** The stage's name (the environment kind). */
  public readonly stageName: string;
  public readonly function: lambda.Function;
  public readonly api: apigw.RestApi;
  public readonly apiKey: apigw.ApiKey;
  public readonly usagePlan: apigw.UsagePlan;
  /** The stage's invoke URL. */
  public readonly url: string;
  /** The custom domain (with `customDomain`). */
  public readonly domainName?: apigw.DomainName;

  constructor(scope: Construct, id: string, props: ProcessorApiProps) {
    super(scope, id);
    const kind = props.environmentKind;
    const loggingLevel = props.loggingLevel ?? 'OFF';
    const logging = loggingLevel !== 'OFF';
    const runtimeName = props.runtime ?? 'nodejs22.x';
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_WEEK;
    const throttle = { rateLimit: props.throttleRateLimit ?? 1000, burstLimit: props.throttleBurstLimit ?? 2000 };

    this.role = new iam.Role(this, 'LambdaRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    props.databaseSecret.grantRead(this.role);
    props.encryptionKey.grantDecrypt(this.role);

    this.logGroup = new logs.LogGroup(this, 'ProcessorLogGroup', {
      logGroupName: props.names.logGroup,
      encryptionKey: props.encryptionKey,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.function = new lambda.Function(this, 'ProcessorFunction', {
      functionName: props.names.function,
      // A Runtime built from the config's name, so a new Node.js runtime needs no aws-cdk-lib upgrade.
      runtime: new lambda.Runtime(runtimeName, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true }),
      handler: 'index.handler',
      code: lambda.Code.fromInline(PROCESSOR_CODE),
      memorySize: props.memoryMb ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      role: this.role,
      logGroup: this.logGroup,
      environment: { ENVIRONMENT: kind, DB_SECRET_ARN: props.databaseSecret.secretArn },
    });

    this.stageName = kind;
    const accessLogs = logging
      ? new logs.LogGroup(this, 'AccessLogs', {
          encryptionKey: props.encryptionKey,
          retention: logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        })
      : undefined;
    this.accessLogGroup = accessLogs;
    this.api = new apigw.RestApi(this, 'EcommerceAPI', {
      restApiName: props.names.restApi,
      description: 'API Gateway for e-commerce application',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Never in an environment's stack: the account has one such role per region, and the stack that declared it
      // would set it for every API of the region and delete it with itself.
      cloudWatchRole: false,
      deployOptions: {
        stageName: kind,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        metricsEnabled: true,
        tracingEnabled: props.tracing ?? true,
        loggingLevel: apigw.MethodLoggingLevel[loggingLevel],
        dataTraceEnabled: props.dataTrace ?? false,
        ...(accessLogs
          ? {
              accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
              accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
            }
          : {}),
      },
    });
    this.url = this.api.url;
    if (props.customDomain) {
      this.domainName = this.api.addDomainName('CustomDomain', {
        domainName: props.customDomain.name,
        certificate: props.customDomain.certificate,
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
    }
    // RestApi always adds an `Endpoint` output; the stack's outputs carry the URL as APIGatewayURL (§11).
    this.api.node.tryRemoveChild('Endpoint');

    this.apiKey = new apigw.ApiKey(this, 'ApiKey', {
      apiKeyName: props.names.apiKey,
      description: `API Key for e-commerce API - ${kind}`,
      enabled: true,
    });
    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: props.names.usagePlan,
      description: `Usage plan for ${kind} environment`,
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      throttle,
      quota: { limit: props.quotaPerMonth ?? 1_000_000, period: apigw.Period.MONTH },
    });
    this.usagePlan.addApiKey(this.apiKey);

    const requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const proxy = this.api.root.addResource('api').addResource('{proxy+}');
    proxy.addMethod(
      'ANY',
      new apigw.HttpIntegration(`${props.backendUrl}/api/{proxy}`, {
        httpMethod: 'ANY',
        proxy: true,
        options: {
          connectionType: apigw.ConnectionType.INTERNET,
          requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        },
      }),
      { apiKeyRequired: true, requestParameters: { 'method.request.path.proxy': true }, requestValidator },
    );

    this.api.root
      .addResource('process')
      .addMethod('POST', new apigw.LambdaIntegration(this.function), { apiKeyRequired: true, requestValidator });

    this.api.root.addResource('health').addMethod(
      'GET',
      new apigw.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"status": "healthy"}' } }],
      }),
      { methodResponses: [{ statusCode: '200' }] },
    );

    this.addNagSuppressions(logging, runtimeName);
  }

  private addNagSuppressions(logging: boolean, runtimeName: string): void {
    suppressNag(this.role, [
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'AWSLambdaVPCAccessExecutionRole is the AWS-maintained policy for ENI management and logging of a VPC function (tapstack.md 5.4).',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
      },
    ]);
    suppressNag(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason: `The runtime (${runtimeName}) comes from the validated config key lambda.runtime, which refuses retired runtimes; moving up is a config change.`,
      },
    ]);
    suppressNag(
      this.api,
      [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Access control is the API key and usage plan of tapstack.md 8.3 on /api/{proxy+} and /process; /health is a public mock without a backend.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'The platform has no Cognito user pool; callers are identified by API key (tapstack.md 8.3).',
        },
        ...(logging
          ? []
          : [
              {
                id: 'AwsSolutions-APIG1',
                reason:
                  "api.loggingLevel is OFF: API Gateway logging needs the account's CloudWatch role (failure-lessons.md #19); turning logging on enables access logs too.",
              },
              {
                id: 'AwsSolutions-APIG6',
                reason:
                  "api.loggingLevel is OFF: execution logging needs the account's CloudWatch role (failure-lessons.md #19); metrics and X-Ray tracing stay on.",
              },
            ]),
      ],
      { applyToChildren: true },
    );
  }
}
