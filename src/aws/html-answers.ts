/** The one check every tapctl SDK client makes of what answered it (aws/clients.ts adds it to each). */
import { responseHeader } from './errors.js';

/** A client's middleware stack, as much of it as this module uses. */
export interface WithMiddleware {
  readonly middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<{ response?: unknown }>) => (args: unknown) => Promise<{ response?: unknown }>, options: { step: 'deserialize'; name: string }): void;
  };
}

/**
 * An HTML page with HTTP 200 (a captive portal, a proxy's sign-in page) is no AWS answer, but the XML protocols
 * (CloudFormation, EC2, RDS, S3 ...) read it as an empty one: "no stack", "no zones", a bucket that "exists".
 * Such an answer fails here instead, as what explainAwsError names "not AWS". Every AWS answer carries a request
 * id header; an HTML object stored in S3 would too, so it is never mistaken for one.
 */
export function refuseHtmlAnswers(client: Partial<WithMiddleware>): void {
  client.middlewareStack?.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string> } | undefined;
      const header = (name: string) => responseHeader(response, name);
      if (/text\/html/i.test(header('content-type') ?? '') && !header('x-amzn-requestid') && !header('x-amz-request-id')) {
        throw Object.assign(new Error('the endpoint answered with an HTML page'), { name: 'NotAnAwsAnswer', $response: response });
      }
      return result;
    },
    { step: 'deserialize', name: 'tapctlRefuseHtmlAnswers' },
  );
}
