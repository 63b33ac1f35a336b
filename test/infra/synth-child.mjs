// A fresh Node process that builds and synthesizes the embedded app from dist/ (run `npm run build` first), for
// test/infra/cdk-loading.test.ts: a test inside vitest cannot say what loads, since the test files themselves
// import aws-cdk-lib as ES modules.
//
//   node synth-child.mjs <outdir> [--esm-preload <submodule> ...]
//
// Writes <outdir>/<stack>.template.json for the default stack (ecommerce, dev) and one stack of each preset, and
// prints one JSON line: the aws-cdk-lib files and submodules in the CommonJS module cache right after the
// default stack was built and synthesized, before anything else was.
//
// --esm-preload first loads aws-cdk-lib the way src/infra did before it used `import x = require()`: an ES
// module namespace import of the package root and of each named submodule (Node's ESM-to-CommonJS bridge reads
// every export name, which runs every lazy getter), so the test can compare the templates of both loadings.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dist = new URL('../../dist/', import.meta.url);
const [outdir, flag, ...preload] = process.argv.slice(2);
const require = createRequire(import.meta.url);

if (flag === '--esm-preload') {
  await import('aws-cdk-lib');
  for (const submodule of preload) await import(`aws-cdk-lib/${submodule}`);
}

const { ConfigFileSchema } = await import(new URL('config/schema.js', dist).href);
const { resolveEnvironment } = await import(new URL('config/resolve.js', dist).href);
const { buildApp } = await import(new URL('infra/app.js', dist).href);

function environment(preset, region, extra = {}) {
  const raw = {
    project: 'shop',
    preset,
    defaults: { alarms: { email: 'ops@shop.test' } },
    environments: { dev: { account: '111111111111', region, ...extra } },
  };
  return resolveEnvironment(ConfigFileSchema.parse(raw), raw, 'dev');
}

function synth(env, folder) {
  mkdirSync(folder, { recursive: true });
  const { app } = buildApp(env, { outdir: folder });
  return app.synth().getStackByName(env.names.stack).templateFullPath;
}

const templates = [synth(environment('ecommerce', 'us-east-1'), join(outdir, 'ecommerce'))];
const files = Object.keys(require.cache).filter((f) => f.includes('/node_modules/aws-cdk-lib/'));
const exported = new Set(Object.keys(require('aws-cdk-lib/package.json').exports).filter((e) => !e.endsWith('.js') && !e.endsWith('.json')).map((e) => e.replace(/^\.\/?/, '').split('/')[0]));
const submodules = [...new Set(files.map((f) => f.split('/node_modules/aws-cdk-lib/')[1].split('/')[0]))].filter((s) => exported.has(s)).sort();

templates.push(synth(environment('catalog-api', 'eu-north-1'), join(outdir, 'catalog-api')));
templates.push(synth(environment('rds-postgres', 'eu-north-1', { network: { maxAzs: 3, natGateways: 1 } }), join(outdir, 'rds-postgres')));

console.log(JSON.stringify({ files: files.length, submodules, templates }));
