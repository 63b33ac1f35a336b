/**
 * The `LogGroups` stack output: which log groups hold each source of `tapctl logs`. Written by the stacks of the
 * presets that run a service, read by src/logs/sources.ts, and nothing else decides where logs live. A light
 * module (no aws-cdk-lib), so that `tapctl logs` can read the output without loading the CDK app.
 *
 * The value is JSON, e.g.
 *   {"app":["/ecs/shop-app-dev"],"appStreamPrefix":"ecommerce/app","lambda":["/aws/lambda/shop-processor-dev"],
 *    "api":[],"rotation":["/aws/lambda/shop-db-rotation-dev"]}
 */

/** The stack output's key. */
export const LOG_GROUPS_OUTPUT = 'LogGroups';

/** Where logs come from: the service's tasks, API Gateway, the processor Lambda, the database secret's rotation. */
export const LOG_SOURCES = ['app', 'api', 'lambda', 'rotation'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

/** The output's value. A source a preset does not have is left out; one that logs nowhere is an empty list. */
export type LogGroupsOutput = { readonly [S in LogSource]?: readonly string[] } & {
  /**
   * The awslogs stream prefix of the application container: a task's stream is `<prefix>/<task id>`
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
   */
  readonly appStreamPrefix?: string;
};

/** The log group Lambda creates for a function on its first run (it is not a resource of the stack). */
export const lambdaLogGroup = (functionName: string): string => `/aws/lambda/${functionName}`;

/**
 * The log group API Gateway writes a stage's execution logs to, created by API Gateway itself
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
 */
export const apiExecutionLogGroup = (restApiId: string, stage: string): string => `API-Gateway-Execution-Logs_${restApiId}/${stage}`;
