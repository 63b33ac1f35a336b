/** The environment's alarms (their names come from its preset's naming): how many fire, and since when. */
import { presetAlarmNames } from '../../config/presets/index.js';
import type { AlarmsInfo, Section } from '../schema.js';
import { callOptions, iso, ok, sectionError, type SectionContext } from './section.js';
import { loadSdk } from '../../aws/sdk.js';
import { byCodeUnit } from '../../cli/plain-text.js';

export async function readAlarms(c: SectionContext): Promise<Section<AlarmsInfo>> {
  const byName = new Map(Object.entries(presetAlarmNames(c.env)).map(([key, name]) => [name, key]));
  try {
    const cw = await c.clients.cloudWatch();
    const sdk = await loadSdk('@aws-sdk/client-cloudwatch');
    // Every preset's alarms fit one page (AlarmNames takes up to 100; rds-postgres has at most 3 + 4 per replica).
    const out = await cw.send(new sdk.DescribeAlarmsCommand({ AlarmNames: [...byName.keys()], MaxRecords: 100 }), callOptions(c.signal));
    const alarms = out.MetricAlarms ?? [];
    const found = new Set(alarms.map((a) => a.AlarmName ?? ''));
    const count = (state: string) => alarms.filter((a) => a.StateValue === state).length;
    const firing = alarms
      .filter((a) => a.StateValue === 'ALARM')
      .map((a) => ({ name: a.AlarmName ?? '', key: byName.get(a.AlarmName ?? '') ?? null, since: iso(a.StateUpdatedTimestamp), reason: a.StateReason ?? null }))
      .sort((a, b) => byCodeUnit(a.since ?? '', b.since ?? ''));
    return ok({
      total: alarms.length,
      counts: { ok: count('OK'), alarm: count('ALARM'), insufficientData: count('INSUFFICIENT_DATA') },
      firing,
      missing: [...byName.keys()].filter((n) => !found.has(n)),
    });
  } catch (e) {
    return sectionError(e, 'reading the CloudWatch alarms', c.signal);
  }
}
