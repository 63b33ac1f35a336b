/** Schema section `container`: The Fargate service, its image build and auto-scaling (tapstack.md §5). */
import * as z from 'zod/mini';
import { APP_SECRET_NAME, APP_SECRET_NAME_RULE, MAX_APP_SECRET_NAME } from '../app-secret-names.js';
import { strict } from './common.js';

const ENV_VAR = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable'));

/** Where the builder reads one build secret from: an environment variable (by name) or a file (by path). */
export const BuildSecretSchema = z.union([ENV_VAR, strict({ env: ENV_VAR }), strict({ file: z.string().check(z.minLength(1, 'expected a file path')) })]);
export type BuildSecretSetting = z.infer<typeof BuildSecretSchema>;

export const ContainerSchema = strict({
  port: z._default(z.int().check(z.minimum(1), z.maximum(65535)), 3000).register(z.globalRegistry, { description: 'Port the container listens on.' }),
  cpu: z._default(z.int(), 1024).register(z.globalRegistry, { description: 'Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).' }),
  memory: z._default(z.int(), 2048).register(z.globalRegistry, { description: 'Fargate task memory in MiB; must be valid for the chosen cpu.' }),
  architecture: z._default(z.enum(['x86_64', 'arm64']), 'x86_64').register(z.globalRegistry, {
    description: 'CPU architecture of the task; push-image builds for linux/amd64 or linux/arm64 to match.',
  }),
  desiredCount: z._default(z.int().check(z.minimum(0)), 2).register(z.globalRegistry, {
    description:
      'Ignored, kept so existing configs validate. Auto-scaling owns the task count between minTasks and maxTasks ' +
        '(spec: 2 tasks, min 2, max 10), so a deploy never resets a service that scaled out during a peak.',
  }),
  minTasks: z._default(z.int().check(z.minimum(0)), 2).register(z.globalRegistry, { description: 'Auto-scaling minimum.' }),
  maxTasks: z._default(z.int().check(z.minimum(1)), 10).register(z.globalRegistry, { description: 'Auto-scaling maximum.' }),
  cpuTargetPercent: z._default(z.number().check(z.minimum(1), z.maximum(100)), 50).register(z.globalRegistry, {
    description: 'Target-tracking CPU utilisation. Spec conflict: 50 vs 70; tapctl scales at 50 and alarms at 70, so an alarm means scaling could not keep up.',
  }),
  memoryTargetPercent: z._default(z.number().check(z.minimum(1), z.maximum(100)), 70).register(z.globalRegistry, {
    description: 'Target-tracking memory utilisation. Spec conflict: 70 vs 80; tapctl scales at 70 and alarms at 80.',
  }),
  scaleInCooldownSeconds: z._default(z.int().check(z.minimum(0)), 60).register(z.globalRegistry, { description: 'Cooldown after a scale-in.' }),
  scaleOutCooldownSeconds: z._default(z.int().check(z.minimum(0)), 60).register(z.globalRegistry, { description: 'Cooldown after a scale-out.' }),
  healthCheckPath: z._default(z.string().check(z.startsWith('/')), '/health').register(z.globalRegistry, { description: 'HTTP path the load balancer and the container health check probe.' }),
  healthCheckGraceSeconds: z._default(z.int().check(z.minimum(0)), 60).register(z.globalRegistry, { description: 'Seconds ECS ignores failing health checks after a task starts.' }),
  healthCheckCommand: z.optional(z.string()).register(z.globalRegistry, {
    description: "Container health check (CMD-SHELL). Default: 'curl -f http://localhost:<port><healthCheckPath> || exit 1'; the image must contain curl.",
  }),
  image: z._default(
    strict({
      repository: z.optional(z.string()).register(z.globalRegistry, { description: "Image repository of a pinned image. Default: the stack's own ECR repository (where push-image pushes)." }),
      tag: z.optional(z.string()).register(z.globalRegistry, {
        description:
          'Pins the image tag to run (you write it: push-image never edits the config, it records releases in the ledger). ' +
            "Deployed by the digest ECR holds for it at deploy time; never latest or the bootstrap placeholder's tag.",
      }),
      digest: z.optional(z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 hex characters>'))).register(z.globalRegistry, {
        description: 'Pins the image digest to run (wins over tag; with both, the tag must be on that digest).',
      }),
    }),
    {},
  ).register(z.globalRegistry, { description: 'The image the service runs. Until one is pushed, the first deploy runs zero tasks.' }),
  dockerfile: z._default(z.string(), 'Dockerfile').register(z.globalRegistry, { description: 'Dockerfile path, relative to the project folder.' }),
  context: z._default(z.string(), '.').register(z.globalRegistry, { description: 'Build context, relative to the project folder.' }),
  buildArgs: z._default(z.record(z.string(), z.string()), {}).register(z.globalRegistry, {
    description: 'Plain build arguments: they are shown by tapctl config, passed on the command line and kept in the image history. A secret-looking name or value is refused (rule B1): use buildSecrets.',
  }),
  buildSecrets: z._default(z.record(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'expected a secret id: letters, digits, _ . -')), BuildSecretSchema), {}).register(z.globalRegistry, {
    description:
      'Build secrets (BuildKit / buildah --secret), read in the Dockerfile with RUN --mount=type=secret,id=<id>: id -> the name of an ' +
        'environment variable that holds the value (or { env: NAME }), or { file: path } relative to the project folder. The builder reads ' +
        'the value itself: it is never on the command line, shown or stored.',
  }),
  secrets: z._default(
    z.array(z.string().check(z.maxLength(MAX_APP_SECRET_NAME, `at most ${MAX_APP_SECRET_NAME} characters`), z.regex(APP_SECRET_NAME, `expected ${APP_SECRET_NAME_RULE}`))),
    [],
  ).register(z.globalRegistry, {
    description:
      'App secrets the container receives as environment variables of these names, from Secrets Manager (tapctl/<project>/<suffix>/<NAME>, ' +
        'set with tapctl secrets set): ECS injects each by its ARN when a task starts, never as a plain value in the task definition. ' +
        'A deploy that runs tasks checks each exists.',
  }),
  exec: z._default(z.boolean(), false).register(z.globalRegistry, {
    description:
      'Allow tapctl exec (ECS Exec) into running tasks: turns on enableExecuteCommand and gives the task role the ssmmessages permissions ' +
        'it needs. Off by default; a warning in production (a shell in a production task reads its data and secrets).',
  }),
  builder: z._default(z.enum(['auto', 'docker', 'podman', 'buildah', 'finch']), 'auto').register(z.globalRegistry, {
    description: 'Container builder for push-image; auto tries docker, podman, buildah, finch in that order.',
  }),
});
