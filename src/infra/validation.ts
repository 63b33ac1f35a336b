/**
 * Findings of aws-cdk-lib's builtin CloudFormation validation (`buildApp(env, { validate: true })`).
 *
 * buildApp configures the validation strictly: any finding, error or warning, fails `app.synth()` with an
 * error whose message holds the report (aws-cdk-lib would otherwise downgrade errors to warnings and print
 * them to stderr, which a CLI with a --json mode cannot have). The report is also written to the assembly
 * folder first, so `validationFindings(outdir)` lists the findings as data, before or after the throw.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Context that makes every validation finding fail synth, and none print (see the file comment). */
export const VALIDATION_CONTEXT: Readonly<Record<string, boolean>> = {
  // Errors stay errors instead of being downgraded to printed warnings.
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  // Warnings fail too: the only way aws-cdk-lib neither prints them nor lets them pass unnoticed.
  '@aws-cdk/core:strictCfnValidateErrors': true,
};

const REPORT_FILE = 'validation-report.json';

export interface ValidationFinding {
  /** Rule of the validator, e.g. `E3002`. */
  readonly rule: string;
  /** `error`, `fatal`, `warning` or `info`, as the validator reports it. */
  readonly severity: string;
  readonly message: string;
  /** Construct paths of the offending resources. */
  readonly constructPaths: readonly string[];
}

interface ReportViolation {
  readonly ruleName: string;
  readonly severity?: string;
  readonly description: string;
  readonly violatingConstructs?: ReadonlyArray<{ readonly constructPath?: string }>;
}

/** The unsuppressed findings in an assembly folder; none when validation did not run or found nothing. */
export function validationFindings(assemblyDirectory: string): ValidationFinding[] {
  const file = join(assemblyDirectory, REPORT_FILE);
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports?: ReadonlyArray<{ violations?: readonly ReportViolation[] }>;
  };
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).map((v) => ({
      rule: v.ruleName,
      severity: v.severity ?? 'error',
      message: v.description,
      constructPaths: (v.violatingConstructs ?? []).flatMap((c) => (c.constructPath ? [c.constructPath] : [])),
    })),
  );
}
