/**
 * The image reference the service's task definition points at while no image has been released, and the name
 * of the application container. A light module (no aws-cdk-lib), so that deploy can recognise the placeholder
 * in a deployed template without loading the CDK app.
 */

/**
 * Tag the task definition points at while no image has been pushed. The service then runs zero tasks, so ECS
 * never tries to pull it; push-image followed by deploy replaces it.
 */
export const PLACEHOLDER_IMAGE_TAG = 'tapctl-bootstrap-placeholder';

/** Name of the application container (the target of the load balancer). */
export const CONTAINER_NAME = 'app';

/**
 * The container health check when container.healthCheckCommand sets none (CMD-SHELL): the image needs a shell
 * and curl (push-image warns when it has not: src/image/health-check.ts).
 */
export function defaultHealthCheckCommand(port: number, healthCheckPath: string): string {
  return `curl -f http://localhost:${port}${healthCheckPath} || exit 1`;
}
