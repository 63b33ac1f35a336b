// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-ssm (aws/sdk.ts says why).
export {
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
