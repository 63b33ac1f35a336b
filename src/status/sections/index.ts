/**
 * Every section after the stack, read at once. Loaded by collect.ts only once the first round trip is on its way,
 * so that the code (and SDK clients) of the sections never delay the first AWS call.
 */
import type { EndpointInfo, Section } from '../schema.js';
import { readAlarms } from './alarms.js';
import { readDatabase } from './database.js';
import { readDomain } from './domain.js';
import { readEndpoints } from './endpoints.js';
import { PRESET_PARTS } from '../../config/presets/index.js';
import { readDatabaseInstances } from './database-instances.js';
import { absent, sectionError, type SectionContext } from './section.js';
import { readService } from './service.js';
import { joinReleaseAndService, readRelease } from './release.js';
import { readTargets } from './targets.js';

export interface SectionsOptions {
  readonly probe: boolean;
  readonly fetch?: typeof fetch;
}

export async function readSections(c: SectionContext, o: SectionsOptions) {
  // A preset without a service or load balancer (rds-postgres) shows those sections as absent, with the reason.
  const parts = PRESET_PARTS[c.env.preset];
  const notInPreset = absent(`not part of the ${c.env.preset} preset`);
  const settled = await Promise.allSettled([
    parts.service ? readService(c) : Promise.resolve(notInPreset),
    parts.targets ? readTargets(c) : Promise.resolve(notInPreset),
    parts.database === 'instances' ? readDatabaseInstances(c) : readDatabase(c),
    readAlarms(c),
    readEndpoints(c.env, c.outputs, { probe: o.probe, signal: c.signal, ...(o.fetch ? { fetch: o.fetch } : {}) }),
    readRelease(c),
    readDomain(c),
  ] as const);
  // Readers turn AWS errors into sections themselves; this only catches a bug in one, without losing the rest.
  const section = <T>(r: PromiseSettledResult<Section<T>>, what: string): Section<T> =>
    r.status === 'fulfilled' ? r.value : sectionError(r.reason, what, c.signal);
  const endpoints: EndpointInfo[] = settled[4].status === 'fulfilled' ? settled[4].value : [];
  const joined = joinReleaseAndService(section(settled[0], 'reading the ECS service'), section(settled[5], 'reading the release ledger'), c.env.name);
  return {
    service: joined.service,
    targets: section(settled[1], 'reading the target group'),
    database: section(settled[2], 'reading the database cluster'),
    alarms: section(settled[3], 'reading the CloudWatch alarms'),
    release: joined.release,
    domain: section(settled[6], 'reading the domain\'s certificates'),
    endpoints,
  };
}
