/** The one check every tapctl SDK client makes of what answered it (aws/clients.ts adds it to each). */
import { responseHeader } from './errors.js';

/** A client's middleware stack, as much of it as this module uses. */
export interface WithMiddleware {
  readonly middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<{ response?: unknown }>) => (args: unknown) => Promise<{ response?: unknown }>, options: { step: 'deserialize'; name: string }): void;
  };
}

/**
 * An answer that cannot be AWS's fails here, as what explainAwsError names "not AWS"; the XML protocols (CloudFormation,
 * EC2, RDS, S3 ...) would otherwise read it as an empty one ("no stack", "no zones", a bucket that "exists").
 * Every AWS answer names its request (x-amzn-RequestId, or x-amz-request-id for S3); an answer without one is
 * refused when it is an HTML page (a captive portal, a proxy's sign-in page) or an empty success with no content
 * type (an empty HTTP 200). With a request id, HTML passes: the AWS emulators answer some JSON APIs as text/html.
 */
export function refuseHtmlAnswers(client: Partial<WithMiddleware>): void {
  client.middlewareStack?.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string> } | undefined;
      const header = (name: string) => responseHeader(response, name);
      const html = /text\/html/i.test(header('content-type') ?? '');
      const fromAws = Boolean(header('x-amzn-requestid') ?? header('x-amz-request-id'));
      if (!fromAws && (html || !header('content-type'))) {
        const what = html ? 'an HTML page' : 'an empty answer without an AWS request id';
        throw Object.assign(new Error(`the endpoint answered with ${what}`), { name: 'NotAnAwsAnswer', $response: response, ...(html ? {} : { notAws: true }) });
      }
      return result;
    },
    { step: 'deserialize', name: 'tapctlRefuseForeignAnswers' },
  );
}
