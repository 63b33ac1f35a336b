/**
 * A preview's record as CloudFormation stack tags, and back. The stack is the only place a preview lives, so
 * these tags are its whole state: the marker (`tapctl:preview`) and the project (`tapctl:project`) say whose
 * preview it is, and sweep deletes nothing that lacks either.
 *
 * Limits (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Tag.html): a key is 1-128
 * characters, a value 1-256 (an empty value is refused, so optional fields are left out rather than empty).
 * CloudFormation copies stack tags onto the resources it creates, and the strictest services allow only letters,
 * digits, spaces and `_ . : / = + - @` in a tag
 * (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): any other character of a value (a
 * branch may hold almost anything) is written `+HH` per UTF-8 byte, and a `+` itself as `+2B`, so a value reads
 * back exactly.
 */
import { createHash } from 'node:crypto';
import type { PreviewRecord } from './record.js';

export const PREVIEW_TAG = 'tapctl:preview';
export const PROJECT_TAG = 'tapctl:project';
const TAGS = {
  source: 'tapctl:source',
  branch: 'tapctl:branch',
  creator: 'tapctl:creator',
  ciActor: 'tapctl:ci-actor',
  createdAt: 'tapctl:created',
  expiresAt: 'tapctl:expires',
  image: 'tapctl:image',
} as const;

export const TAG_VALUE_MAX = 256;
const PLAIN = /[A-Za-z0-9 _.:/=@-]/;

/** `value` with every character a strict service refuses (and `+`) written as `+HH`. Reversible (decodeTagValue). */
export function encodeTagValue(value: string): string {
  let out = '';
  for (const ch of value) {
    if (PLAIN.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `+${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeTagValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value[i] === '+' ? value.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(value[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The branch as the `tapctl:branch` tag holds it: encoded, or for a branch too long for a tag (git allows
 * hundreds of characters) `sha256:<hex>` of it. Sweep compares live branches in this same form, so both kinds
 * match exactly; only the long one cannot be shown.
 */
export function branchTagValue(branch: string): string {
  const encoded = encodeTagValue(branch);
  if (encoded.length <= TAG_VALUE_MAX) return encoded;
  return `sha256:${createHash('sha256').update(branch, 'utf8').digest('hex')}`;
}

/** The stack tags of a preview of `project`. Values that could exceed a tag are cut (audit text) or hashed (branch). */
export function previewStackTags(project: string, record: PreviewRecord): Record<string, string> {
  const tags: Record<string, string> = {
    [PREVIEW_TAG]: record.name,
    [PROJECT_TAG]: project,
    [TAGS.source]: record.source,
    [TAGS.creator]: capped(encodeTagValue(record.creator)),
    [TAGS.createdAt]: record.createdAt,
    [TAGS.expiresAt]: record.expiresAt,
  };
  if (record.branch) tags[TAGS.branch] = branchTagValue(record.branch);
  if (record.ciActor) tags[TAGS.ciActor] = capped(encodeTagValue(record.ciActor));
  if (record.image) tags[TAGS.image] = encodeTagValue(record.image);
  return tags;
}

/** A value cut to a tag's length without splitting a `+HH` escape. */
function capped(value: string): string {
  if (value.length <= TAG_VALUE_MAX) return value;
  const cut = value.slice(0, TAG_VALUE_MAX);
  const escape = cut.lastIndexOf('+');
  return escape > TAG_VALUE_MAX - 3 ? cut.slice(0, escape) : cut;
}

export type TagList = ReadonlyArray<{ readonly Key?: string; readonly Value?: string }>;

/** Whether a stack's tags mark it as a preview of `project`: the project AND the marker, both required. */
export function isPreviewOf(tags: TagList | undefined, project: string): boolean {
  const map = tagMap(tags);
  return map[PROJECT_TAG] === project && typeof map[PREVIEW_TAG] === 'string' && map[PREVIEW_TAG] !== '';
}

/** Not ok: `source` is there when that tag is readable (only the times are not). */
export type ParsedPreview = { readonly ok: true; readonly record: PreviewRecord } | { readonly ok: false; readonly name: string; readonly problem: string; readonly source?: string };

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/**
 * The record a preview's tags hold. Only call it on tags that isPreviewOf accepted. A record whose times or
 * source cannot be read is reported (`problem`), never guessed: sweep treats an unreadable expiry as expired.
 */
export function readPreviewTags(tags: TagList | undefined): ParsedPreview {
  const map = tagMap(tags);
  const name = map[PREVIEW_TAG] ?? '';
  const problem = (p: string): ParsedPreview => ({ ok: false, name, problem: p });
  const source = map[TAGS.source];
  if (!source) return problem(`tag ${TAGS.source} is missing`);
  const unreadable = (p: string): ParsedPreview => ({ ok: false, name, problem: p, source });
  const createdAt = map[TAGS.createdAt] ?? '';
  const expiresAt = map[TAGS.expiresAt] ?? '';
  if (!ISO.test(expiresAt) || Number.isNaN(Date.parse(expiresAt))) return unreadable(`tag ${TAGS.expiresAt} is not an ISO 8601 time: ${JSON.stringify(expiresAt).slice(0, 60)}`);
  if (!ISO.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return unreadable(`tag ${TAGS.createdAt} is not an ISO 8601 time: ${JSON.stringify(createdAt).slice(0, 60)}`);
  const branch = map[TAGS.branch];
  const ciActor = map[TAGS.ciActor];
  const image = map[TAGS.image];
  return {
    ok: true,
    record: {
      name,
      source,
      // A hashed (over-long) branch cannot be shown; it still compares (branchTagValue).
      ...(branch ? { branch: branch.startsWith('sha256:') ? branch : decodeTagValue(branch) } : {}),
      creator: decodeTagValue(map[TAGS.creator] ?? 'unknown'),
      ...(ciActor ? { ciActor: decodeTagValue(ciActor) } : {}),
      createdAt,
      expiresAt,
      ...(image ? { image: decodeTagValue(image) } : {}),
    },
  };
}

/** The `tapctl:branch` value as written (for comparing with live branches in the same form). */
export function branchTagOf(tags: TagList | undefined): string | undefined {
  return tagMap(tags)[TAGS.branch];
}

function tagMap(tags: TagList | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}
