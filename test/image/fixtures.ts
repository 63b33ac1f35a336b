/** A project with a Dockerfile, and the AWS answers push-image needs, for the command tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsStub } from 'aws-sdk-client-mock';
import { DEV_ACCOUNT, sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { readVerified } from '../../src/state/verified-cache.js';
import { pushedImageFile, type PushedImage } from '../../src/state/work-dir.js';

export const REGISTRY = `${DEV_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
export const REPO_URI = `${REGISTRY}/shop-app-dev`;
export const PASSWORD = 'ecr-password-Zm9vYmFyYmF6-0123456789';
export const TOKEN = Buffer.from(`AWS:${PASSWORD}`).toString('base64');

/** sampleConfig with container settings for every environment, plus a Dockerfile and one file to COPY. */
export function imageProject(container: Record<string, unknown> = {}, extraEnvs: Record<string, unknown> = {}): TempProject {
  const base = sampleConfig();
  const project = tempProject({
    ...base,
    defaults: { ...(base.defaults as object), container },
    environments: { ...(base.environments as object), ...extraEnvs },
  });
  writeFileSync(join(project.dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(join(project.dir, 'hello.txt'), 'hello from tapctl\n');
  return project;
}

type AnyStub = AwsStub<any, any, any>;

export function mockAccount(sts: AnyStub, account = DEV_ACCOUNT): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: account, Arn: `arn:aws:sts::${account}:assumed-role/dev/me` });
}

export function mockStack(cfn: AnyStub, repositoryUri: string | null = REPO_URI): void {
  if (repositoryUri === null) {
    const e = Object.assign(new Error('Stack with id TapStack-shop-dev does not exist'), { name: 'ValidationError' });
    cfn.on(DescribeStacksCommand).rejects(e);
    return;
  }
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'TapStack-shop-dev',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [{ OutputKey: 'ECRRepositoryURI', OutputValue: repositoryUri }],
      },
    ],
  });
}

export function mockToken(ecr: AnyStub, proxyEndpoint = `https://${REGISTRY}`, token = TOKEN): void {
  ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token, proxyEndpoint, expiresAt: new Date(Date.now() + 12 * 3600_000) }] });
}

export { CloudFormationClient, ECRClient, STSClient };

/** The image record push-image wrote, as stored (hash-verified, not checked against an environment). */
export function pushedRecord(projectDir: string, envName = 'dev'): PushedImage | undefined {
  return readVerified<PushedImage>(pushedImageFile(projectDir, envName), () => undefined);
}
