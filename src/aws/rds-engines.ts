/** Which Aurora engine versions RDS offers in a region (failure-lessons.md #15-#17: they differ by region). */
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** True when RDS offers `engine` at `version` (RDS spelling, e.g. 8.0.mysql_aurora.3.08.0) in the region. */
export async function engineVersionOffered(clients: AwsClients, engine: string, version: string): Promise<boolean> {
  return (await describeVersions(clients, engine, version)).length > 0;
}

/** The versions RDS offers for `engine` in the region, newest last (for a hint when the chosen one is missing). */
export async function offeredEngineVersions(clients: AwsClients, engine: string): Promise<string[]> {
  return describeVersions(clients, engine);
}

async function describeVersions(clients: AwsClients, engine: string, version?: string): Promise<string[]> {
  const { DescribeDBEngineVersionsCommand } = await loadSdk('@aws-sdk/client-rds');
  const rds = await clients.rds();
  const versions: string[] = [];
  let marker: string | undefined;
  try {
    do {
      const out = await rds.send(new DescribeDBEngineVersionsCommand({ Engine: engine, ...(version ? { EngineVersion: version } : {}), Marker: marker }));
      versions.push(...(out.DBEngineVersions ?? []).map((v) => v.EngineVersion ?? '').filter(Boolean));
      marker = out.Marker;
    } while (marker);
  } catch (e) {
    // RDS answers an unknown version with an error on some engines instead of an empty list.
    if (version && /InvalidParameterValue|DBEngineVersionNotFound/.test(`${(e as Error)?.name} ${(e as Error)?.message}`)) return [];
    throw explainAwsError(e, `listing ${engine} versions`);
  }
  return versions;
}
