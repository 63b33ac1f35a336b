// Writes docs/config-reference.md from the JSON Schema generated from the zod schema, so the reference
// can never drift from what `tapctl validate` accepts. Run by `npm run build`; a test checks it is current.
import { readFileSync, writeFileSync } from 'node:fs';

const schema = JSON.parse(readFileSync(new URL('../schema/tapctl.config.schema.json', import.meta.url), 'utf8'));

const typeOf = (s) => {
  if (s.enum) return s.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `list of ${typeOf(s.items ?? {})}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) return `map of ${typeOf(s.additionalProperties)}`;
  return s.type ?? 'any';
};
const fmtDefault = (s) => (s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``);
const esc = (t = '') => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const rows = [];
function walk(s, path) {
  if (!s.properties) return;
  for (const [key, child] of Object.entries(s.properties)) {
    if (key === '$schema') continue;
    const p = path ? `${path}.${key}` : key;
    if (child.properties) {
      rows.push(`| **\`${p}\`** | section | | ${esc(child.description)} |`);
      walk(child, p);
    } else {
      rows.push(`| \`${p}\` | ${typeOf(child)} | ${fmtDefault(child)} | ${esc(child.description)} |`);
    }
  }
}

const env = schema.properties.environments.additionalProperties;
const ENV_ONLY = ['account', 'region', 'kind', 'suffix', 'endpoint', 'registryEndpoint', 'profile'];
const envOnly = { properties: Object.fromEntries(ENV_ONLY.map((k) => [k, env.properties[k]])) };
rows.push('| **top level** | | | |');
walk({ properties: { project: schema.properties.project, preset: schema.properties.preset } }, '');
rows.push('| **`environments.<name>`** | | | One entry per environment. Besides these keys, an environment may override any setting below. |');
walk(envOnly, 'environments.<name>');
rows.push('| **settings** (under `defaults:` or `environments.<name>:`) | | | |');
walk(schema.properties.defaults, '');

const text = `# tapctl.config.yaml reference

Generated from the zod schema in \`src/config/schema.ts\` by \`npm run build\` — do not edit by hand.
Defaults are the values of the platform spec; "Spec conflict" notes say which value tapctl chose where the
spec lists several. Settings go under \`defaults:\` (all environments) or under one environment (wins).
Editors complete and check the file through \`schema/tapctl.config.schema.json\`.

| key | type | default | description |
|---|---|---|---|
${rows.join('\n')}
`;
writeFileSync(new URL('../docs/config-reference.md', import.meta.url), text);
