/** Lambda runtime, container image reference, log retention, lifecycle ordering. */
import { RETIRED_LAMBDA_RUNTIMES, SUPPORTED_LAMBDA_RUNTIMES } from '../engine-versions.js';
import type { ConfigIssue } from '../issues.js';
import { LOG_RETENTION_DAYS } from '../schema.js';
import { finding, type EnvironmentRule } from './rule.js';

/**
 * infra/image-placeholder.ts's PLACEHOLDER_IMAGE_TAG, written out: the rules load at every validate, and that
 * module would be a bundle chunk of its own there. test/config/rules.test.ts asserts the two agree.
 */
export const RESERVED_PLACEHOLDER_TAG = 'tapctl-bootstrap-placeholder';

export const lambdaRuntimeRules: EnvironmentRule = (env) => {
  const runtime = env.lambda.runtime;
  if (RETIRED_LAMBDA_RUNTIMES[runtime]) {
    return [finding(env, 'lambda.runtime', 'error', 'L4', `Lambda runtime ${runtime} is end-of-life (${RETIRED_LAMBDA_RUNTIMES[runtime]})`, { hint: `use ${SUPPORTED_LAMBDA_RUNTIMES.join(' or ')}` })];
  }
  if (!(SUPPORTED_LAMBDA_RUNTIMES as readonly string[]).includes(runtime)) {
    return [finding(env, 'lambda.runtime', 'error', 'L4', `'${runtime}' is not a supported Node.js Lambda runtime`, { hint: `use ${SUPPORTED_LAMBDA_RUNTIMES.join(' or ')}` })];
  }
  return [];
};

// Docker reference grammar, simplified: [registry[:port]/]path[:tag][@digest]; validateContainerImage (tapstack.md §1.4).
const REPOSITORY = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const imageRules: EnvironmentRule = (env) => {
  const { repository, tag } = env.container.image;
  const out: ConfigIssue[] = [];
  if (repository !== undefined && !REPOSITORY.test(repository)) {
    out.push(finding(env, 'container.image.repository', 'error', 'I1', `'${repository}' is not an image repository reference`, { hint: 'e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev, without a tag (set container.image.tag)' }));
  }
  if (tag !== undefined && !TAG.test(tag)) {
    out.push(finding(env, 'container.image.tag', 'error', 'I2', `'${tag}' is not a valid image tag`, { hint: 'letters, digits, _ . -; at most 128 characters; not starting with . or -' }));
  } else if (tag === 'latest') {
    // In every kind of environment: the one tag the repository lets move, so the pin would name no image for sure.
    out.push(finding(env, 'container.image.tag', 'error', 'I2', `'latest' moves to every new image: the pin would not say which image runs`, {
      hint: 'pin an immutable tag or the digest (tapctl releases lists them), or remove container.image.tag to run the release push-image records',
    }));
  } else if (tag === RESERVED_PLACEHOLDER_TAG) {
    out.push(finding(env, 'container.image.tag', 'error', 'I2', `'${tag}' is reserved: it is the bootstrap placeholder, which runs no task`, {
      hint: 'remove container.image.tag (until an image is pushed the service runs zero tasks by itself), or pin a pushed image',
    }));
  }
  return out;
};

export const retentionRules: EnvironmentRule = (env) => {
  const out: ConfigIssue[] = [];
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(env.logRetentionDays)) {
    const nearest = [...LOG_RETENTION_DAYS].sort((a, b) => Math.abs(a - env.logRetentionDays) - Math.abs(b - env.logRetentionDays))[0];
    out.push(finding(env, 'logRetentionDays', 'error', 'G1', `CloudWatch Logs does not accept a retention of ${env.logRetentionDays} days`, { hint: `the nearest allowed value is ${nearest}` }));
  }
  const s = env.storage;
  if (s.assetsGlacierDays <= s.assetsInfrequentAccessDays) {
    out.push(finding(env, 'storage.assetsGlacierDays', 'error', 'P5', `assets move to GLACIER (day ${s.assetsGlacierDays}) before or when they move to STANDARD_IA (day ${s.assetsInfrequentAccessDays})`, { hint: 'make assetsGlacierDays larger than assetsInfrequentAccessDays' }));
  }
  if (env.cdn.assetsDefaultTtlSeconds > env.cdn.assetsMaxTtlSeconds) {
    out.push(finding(env, 'cdn.assetsDefaultTtlSeconds', 'error', 'C1', 'the default TTL is above the maximum TTL'));
  }
  return out;
};
