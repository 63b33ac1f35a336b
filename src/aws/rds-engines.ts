/** Which Aurora engine versions RDS offers in a region (failure-lessons.md #15-#17: they differ by region). */
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** The versions RDS offers for `engine` in the region, newest last (for a hint when the chosen one is missing). */
export async function offeredEngineVersions(clients: AwsClients, engine: string): Promise<string[]> {
  return describeVersions(clients, engine);
}

/** Aurora Serverless v2 capacity limits of one engine version, as RDS reports them (ServerlessV2FeaturesSupport). */
export interface ServerlessV2Limits {
  /** 0 when the version supports auto-pause, else 0.5. */
  readonly minCapacity?: number;
  /** 256 or 128. */
  readonly maxCapacity?: number;
}

/**
 * One engine version as the region offers it, with its Serverless v2 limits (the region's own answer to what
 * src/config/engine-capabilities.ts tabulates offline; absent when RDS does not say, as an emulator may not), or
 * undefined when the region does not offer it.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2FeaturesSupport.html
 */
export async function offeredEngineVersion(clients: AwsClients, engine: string, version: string): Promise<{ serverlessV2?: ServerlessV2Limits } | undefined> {
  const { DescribeDBEngineVersionsCommand } = await loadSdk('@aws-sdk/client-rds');
  const rds = await clients.rds();
  try {
    const found = (await rds.send(new DescribeDBEngineVersionsCommand({ Engine: engine, EngineVersion: version }))).DBEngineVersions?.find((v) => v.EngineVersion === version);
    if (!found) return undefined;
    const support = found.ServerlessV2FeaturesSupport;
    return support ? { serverlessV2: { minCapacity: support.MinCapacity, maxCapacity: support.MaxCapacity } } : {};
  } catch (e) {
    // RDS answers an unknown version with an error on some engines instead of an empty list.
    if (/InvalidParameterValue|DBEngineVersionNotFound/.test(`${(e as Error)?.name} ${(e as Error)?.message}`)) return undefined;
    throw explainAwsError(e, `listing ${engine} versions`);
  }
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
