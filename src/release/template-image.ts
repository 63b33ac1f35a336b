/**
 * The image a CloudFormation template runs: the application container's `Image` in its
 * AWS::ECS::TaskDefinition, as CDK writes it (the stack's own repository through `Fn::Join` with the tag or
 * digest last; any other registry as a plain string; the bootstrap placeholder tag before the first release).
 */
import type { Template } from '../aws/stack-details.js';
import { CONTAINER_NAME, PLACEHOLDER_IMAGE_TAG } from '../infra/image-placeholder.js';

export type TemplateImage =
  /** A real image. `repository` is set only for an image outside the stack's own ECR repository. */
  | { readonly kind: 'image'; readonly repository?: string; readonly tag?: string; readonly digest?: string; readonly taskDefinition: string }
  /** The bootstrap placeholder: the service runs no task. */
  | { readonly kind: 'placeholder'; readonly taskDefinition: string }
  /** An image reference tapctl does not recognise: never treated as "no image". */
  | { readonly kind: 'unknown'; readonly taskDefinition: string };

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The application container's image, or undefined when the template has no task definition. */
export function templateImage(template: Template | undefined): TemplateImage | undefined {
  for (const [logicalId, resource] of Object.entries(template?.Resources ?? {}) as Array<[string, Resource]>) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const containers = (resource.Properties?.ContainerDefinitions ?? []) as Array<{ Name?: string; Image?: unknown }>;
    const container = containers.find((c) => c.Name === CONTAINER_NAME) ?? containers[0];
    if (!container) continue;
    return imageOf(container.Image, logicalId);
  }
  return undefined;
}

function imageOf(image: unknown, taskDefinition: string): TemplateImage {
  if (JSON.stringify(image ?? null).includes(`:${PLACEHOLDER_IMAGE_TAG}`)) return { kind: 'placeholder', taskDefinition };
  if (typeof image === 'string') return { kind: 'image', ...splitReference(image), taskDefinition };
  const join = (image as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const last = join?.[1]?.at(-1);
  const ownRepository = join?.[1]?.some((part) => typeof part === 'object' && part !== null && 'Ref' in part);
  if (ownRepository && typeof last === 'string') {
    if (last.startsWith('@sha256:')) return { kind: 'image', digest: last.slice(1), taskDefinition };
    if (last.startsWith(':') && last.length > 1) return { kind: 'image', tag: last.slice(1), taskDefinition };
  }
  return { kind: 'unknown', taskDefinition };
}

/** `repo[:tag][@sha256:...]`; a registry port (`host:5000/repo`) is not mistaken for a tag. */
export function splitReference(reference: string): { repository: string; tag?: string; digest?: string } {
  const at = reference.indexOf('@');
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  return { repository: hasTag ? name.slice(0, colon) : name, ...(hasTag ? { tag: name.slice(colon + 1) } : {}), ...(digest ? { digest } : {}) };
}
