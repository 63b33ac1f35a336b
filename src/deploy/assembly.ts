/** What deploy needs to know about a synthesized stack, read from the cloud assembly's files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from '../aws/stack-details.js';
import type { SynthResult } from '../synth/synthesize.js';

export interface StackArtifactInfo {
  readonly stackName: string;
  readonly template: Template;
  readonly tags: Readonly<Record<string, string>>;
  readonly terminationProtection: boolean;
  /** The lowest CDK bootstrap version the stack and its assets need. */
  readonly requiredBootstrapVersion: number;
}

interface Manifest {
  artifacts?: Record<string, { type?: string; properties?: { requiresBootstrapStackVersion?: number; tags?: Record<string, string>; terminationProtection?: boolean; templateFile?: string } }>;
}

/** The synthesizer's default minimum, when the manifest states none. */
const DEFAULT_REQUIRED_BOOTSTRAP_VERSION = 6;

export function readStackArtifact(synth: SynthResult): StackArtifactInfo {
  const manifest = JSON.parse(readFileSync(join(synth.assemblyDir, 'manifest.json'), 'utf8')) as Manifest;
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const stack = artifacts.find(([id, a]) => id === synth.stackName && a.type === 'aws:cloudformation:stack')?.[1];
  const required = Math.max(
    DEFAULT_REQUIRED_BOOTSTRAP_VERSION,
    // The stack and its asset manifest (lookup roles are not used: the app never looks anything up).
    ...artifacts.map(([, a]) => a.properties?.requiresBootstrapStackVersion ?? 0),
  );
  return {
    stackName: synth.stackName,
    template: JSON.parse(readFileSync(synth.templatePath, 'utf8')) as Template,
    tags: stack?.properties?.tags ?? {},
    terminationProtection: stack?.properties?.terminationProtection ?? false,
    requiredBootstrapVersion: required,
  };
}
