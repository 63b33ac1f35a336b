// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-api-gateway (aws/sdk.ts says why).
export {
  APIGatewayClient,
  GetAccountCommand,
  UpdateAccountCommand,
} from '@aws-sdk/client-api-gateway';
