/**
 * The ledger's two markers as stored (ledger.ts): the `current` pointer and destroy's `ended` marker, parsed and
 * validated. Pure: what is not a valid marker is reported with why, never obeyed.
 */
import { parseRelease, type Parsed, type Release } from './release.js';

export interface CurrentPointer {
  readonly v: 1;
  readonly release: Release;
  /** When the pointer was written (ISO 8601) and by whom. */
  readonly at: string;
  readonly by: string;
}

export interface EndedMarker {
  readonly v: 1;
  readonly at: string;
  readonly by: string;
  readonly stack: string;
}

/** The pointer, with the ledger's own record of its release; invalid when the ledger does not hold that release. */
export async function inLedger(pointer: CurrentPointer, listed: readonly Release[] | undefined, read: (id: string) => Promise<string | undefined>): Promise<Parsed<CurrentPointer>> {
  const id = pointer.release.id;
  const notHeld: Parsed<CurrentPointer> = { ok: false, reason: `it names release ${id}, which is not in the ledger (releases/${id})` };
  if (listed) {
    const release = listed.find((r) => r.id === id);
    return release ? { ok: true, value: { ...pointer, release } } : notHeld;
  }
  const value = await read(id);
  if (value === undefined) return notHeld;
  const release = parseRelease(value, id);
  if (!release.ok) return { ok: false, reason: `it names release ${id}, whose record is not valid (${release.reason})` };
  return { ok: true, value: { ...pointer, release: release.value } };
}

export function parsePointer(json: string | undefined): Parsed<CurrentPointer> {
  let value: unknown;
  try {
    value = JSON.parse(json ?? '');
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const v = value as Partial<CurrentPointer> | null;
  if (!v || typeof v !== 'object' || v.v !== 1 || typeof v.at !== 'string' || typeof v.by !== 'string') return { ok: false, reason: 'not a current-release pointer' };
  const release = parseRelease(JSON.stringify(v.release));
  if (!release.ok) return { ok: false, reason: `its release record is invalid: ${release.reason}` };
  return { ok: true, value: { v: 1, release: release.value, at: v.at, by: v.by } };
}

export function parseEnded(json: string | undefined): Parsed<EndedMarker> {
  let v: Partial<EndedMarker> | null;
  try {
    v = JSON.parse(json ?? '') as Partial<EndedMarker> | null;
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!v || typeof v !== 'object' || v.v !== 1 || typeof v.by !== 'string' || typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at))) {
    return { ok: false, reason: 'not an end-of-environment marker (v, at, by)' };
  }
  return { ok: true, value: { v: 1, at: v.at, by: v.by, stack: String(v.stack ?? '') } };
}
