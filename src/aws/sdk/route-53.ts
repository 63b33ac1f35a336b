// The client and the commands tapctl sends: all the bundle keeps of @aws-sdk/client-route-53 (aws/sdk.ts says why).
export {
  GetHostedZoneCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
