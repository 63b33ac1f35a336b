/** What the e2e-aws global setup hands the scenarios (vitest provide/inject), or why it could not. */
export interface EmulatorInfo {
  /** The AWS API (moto server): what `endpoint:` names. */
  readonly awsEndpoint: string;
  /** The registry standing in for ECR's host: what `registryEndpoint:` names. */
  readonly registryEndpoint: string;
  readonly awsPort: number;
  readonly registryPort: number;
  /** EMU_HOME: the emulator's state and logs, under the run's TMPDIR. */
  readonly home: string;
  readonly emuSh: string;
}

export type EmulatorContext = EmulatorInfo | { readonly skip: string };

declare module 'vitest' {
  export interface ProvidedContext {
    e2eAws: EmulatorContext;
  }
}
