#!/usr/bin/env node
// Bundles tapctl's compiled code (dist/, from tsc) into dist/bundle/, which bin/tapctl.cjs runs (part of `npm run build`).
//
// Why: a light command (--help, config, validate, a cached synth) spends most of its start-up loading modules, and
// Node's ES module loader pays per file (resolve, read, compile, link). One entry file plus a few chunks loads
// faster than ~130 files of tapctl, commander, zod (~95 files alone) and yaml. Code split at each dynamic
// import() stays lazy: a command loads only what its run needs. The shared chunks every start loads are then merged
// into one (scripts/lib/merge-chunks.js): --help loads the entry and kernel.js, not some twenty small chunks. Last,
// every file is printed again as CommonJS (scripts/lib/to-commonjs.js): Node 20 starts that faster than ES modules.
// TAPCTL_BUNDLE_META=<file> writes esbuild's metafile of the split build (which module went where), for a look.
//
// The AWS SDK clients tapctl calls are bundled from their ES module build, which lets esbuild keep only the client
// and commands each src/aws/sdk/ module names (src/aws/sdk.ts says why and what it saves); aws-sdk-client-mock is
// unaffected, since the tests run the source, where those modules re-export the installed packages.
//
// Never bundled: aws-cdk-lib, toolkit-lib and constructs (they load lazily from node_modules by design and find
// their own assets and wasm by path; toolkit-lib makes its own SDK clients from node_modules), and every other
// dependency not named in BUNDLED: a new dependency stays an ordinary import until someone measures it and adds it
// here.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { KERNEL_FILE, mergeStartupChunks } from './lib/merge-chunks.js';
import { toCommonJs } from './lib/to-commonjs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const outdir = join(dist, 'bundle');
/** The code cache's own file in dist/bundle (bin/tapctl.cjs loads it by this name). */
const CODE_CACHE_FILE = 'code-cache.js';

/** Dependencies small and pure enough to bundle; all start-up paths load them. */
const BUNDLED = ['commander', 'zod', 'yaml', 'fastest-levenshtein'];
/** Bundled from their ES module build (`module` condition), through src/aws/sdk/: see above. */
const bundledSdk = (name) => name.startsWith('@aws-sdk/client-') || name === '@aws-sdk/credential-provider-node' || name === '@smithy/shared-ini-file-loader';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter((name) => !BUNDLED.includes(name) && !bundledSdk(name))
  .flatMap((name) => [name, `${name}/*`]);

/**
 * commander require()s node:child_process when it loads, for executable subcommands, which tapctl never uses;
 * that module (with node:net behind it) costs ~10 ms of CPU at every start. Here it is required on first use.
 * The build fails when commander's source no longer looks as expected, rather than patching blindly.
 */
const lazyChildProcessInCommander = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      const uses = source.match(/childProcess\.\w+/g) ?? [];
      if (!source.includes(eager) || uses.some((u) => u !== 'childProcess.spawn')) {
        throw new Error(`${path} changed: check the lazy node:child_process patch in scripts/bundle.js`);
      }
      const lazy = "let childProcessModule; const childProcess = { spawn: (...args) => (childProcessModule ??= require('node:child_process')).spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * A dynamic `import('yaml')` of a bundled CommonJS package resolves, once bundled, to a namespace with only a
 * default export: `const { parse } = await import('yaml')` is then undefined at run time, silently (the config
 * cache missed on every run that way). Such an import goes through a small module that imports the package
 * statically (src/config/yaml-text.ts); the build refuses the dynamic form.
 */
const noDynamicImportOfBundled = {
  name: 'no-dynamic-import-of-bundled-packages',
  setup(b) {
    const pattern = new RegExp(`import\\(\\s*['"](${BUNDLED.join('|')})(/[^'"]*)?['"]\\s*\\)`);
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async ({ path }) => {
      if (/[\\/]node_modules[\\/]/.test(path)) return undefined;
      const source = await readFile(path, 'utf8');
      const found = pattern.exec(source);
      if (found) throw new Error(`${path}: ${found[0]} loses the package's named exports once bundled; import it statically in a module of its own and import() that module`);
      // zod's namespace import lets esbuild drop what tapctl does not use (582 -> 130 KB at every start); its
      // named import keeps the whole library. The same holds for zod/mini, which the config schema uses.
      const named = /import\s*\{\s*z\s*\}\s*from\s*['"](zod(?:\/mini)?)['"]/.exec(source);
      if (named) throw new Error(`${path}: write import * as z from '${named[1]}' (the named import bundles all of ${named[1]} into every start)`);
      return undefined;
    });
  },
};

/**
 * `tapctl config` prints YAML and parses none. esbuild assigns code to chunks by file, and yaml's index.js imports
 * every part of yaml, so any import of 'yaml' would load its parser too: the printer module (src/config/yaml-print.ts)
 * takes Document from Document.js itself, and esbuild puts the printer's files in a chunk of their own (67 KB of
 * yaml for `config` instead of 130). The same file as index.js re-exports: one module, whoever imports it.
 */
const yamlPrinterAlone = {
  name: 'yaml-printer-alone',
  setup(b) {
    const documentJs = join(root, 'node_modules', 'yaml', 'browser', 'dist', 'doc', 'Document.js');
    b.onResolve({ filter: /^yaml$/ }, ({ importer }) => (/[\\/]dist[\\/]config[\\/]yaml-print\.js$/.test(importer) ? { path: documentJs } : undefined));
  },
};

rmSync(outdir, { recursive: true, force: true });
// Pass 1 (esbuild's code splitting) writes here; pass 2 (scripts/lib/merge-chunks.js) writes the final files to outdir.
const pass1Dir = join(dist, 'bundle-pass1');
rmSync(pass1Dir, { recursive: true, force: true });
const output = { absWorkingDir: root, format: 'esm', platform: 'node', target: 'node20.19', minifyWhitespace: true, minifySyntax: true, legalComments: 'none' };
const result = await build({
  entryPoints: { tapctl: join(dist, 'cli', 'main.js') },
  outdir: pass1Dir,
  // Chunks sit beside the entry: code that finds package files by `new URL('../../templates/', import.meta.url)`
  // resolves the same from dist/<folder>/ and from dist/bundle/.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  // Less to parse at every start (minify*); identifiers are kept, so stack traces (--verbose) still name the functions.
  ...output,
  external,
  // yaml as an ES module too: its package gives Node the CommonJS build, whose wrappers and require() shims cost
  // `config` and `validate` ~4 % of their start-up (18 and 13 M instructions); the ES module build is the same
  // source (the one yaml serves to bundlers), and esbuild drops the parts nothing uses.
  alias: { yaml: join(root, 'node_modules', 'yaml', 'browser', 'dist', 'index.js') },
  // The ES module build of packages that ship both (the AWS SDK clients without an `exports` map; the rest of the
  // SDK chooses it by the `module` condition esbuild sets): esbuild can drop unused code only from ES modules.
  mainFields: ['module', 'main'],
  // No `require` banner: the final files are CommonJS (pass 3), where esbuild's require shim finds Node's own.
  plugins: [yamlPrinterAlone, lazyChildProcessInCommander, noDynamicImportOfBundled],
  metafile: true,
  logLevel: 'warning',
});
// The config schema is built with zod/mini (src/config/schema/): classic zod makes a new schema object for each
// chained call and loads more of itself, which cost validate ~60 M instructions (~15 % of its CPU above bare node)
// and 85 KB more to parse. One `import ... from 'zod'` anywhere brings it back into the bundle unnoticed: refuse it.
const classicZod = /(^|[\\/])node_modules[\\/]zod[\\/](index\.js|v4[\\/]index\.js|v4[\\/]classic[\\/])/;
if (Object.keys(result.metafile.inputs).some((input) => classicZod.test(input))) {
  const importers = Object.entries(result.metafile.inputs)
    .filter(([input, { imports }]) => !/(^|[\\/])node_modules[\\/]/.test(input) && imports.some((i) => classicZod.test(i.path)))
    .map(([input]) => input);
  rmSync(pass1Dir, { recursive: true, force: true });
  throw new Error(`classic zod is in the bundle (imported by ${importers.join(', ') || 'a dependency'}): import * as z from 'zod/mini', as src/config/schema/ does`);
}
const merged = await mergeStartupChunks({ metafile: result.metafile, pass1Dir, outdir, entry: join(pass1Dir, 'tapctl.js'), options: output });
if (process.env.TAPCTL_BUNDLE_META) writeFileSync(process.env.TAPCTL_BUNDLE_META, JSON.stringify(result.metafile));
rmSync(pass1Dir, { recursive: true, force: true });
// Pass 3 (scripts/lib/to-commonjs.js): each file printed again as CommonJS, which Node 20 starts faster.
await toCommonJs({ dir: outdir, options: output, root });

// The code fingerprints that caches are keyed on (src/state/fingerprint.ts), computed here once instead of by
// reading every compiled file at each start: sha256 per top-level folder of dist/, over file names and bytes.
const fingerprints = {};
for (const folder of readdirSync(dist).sort()) {
  const dir = join(dist, folder);
  if (folder === 'bundle' || !statSync(dir).isDirectory()) continue;
  fingerprints[folder] = folderHash(dir);
}
writeFileSync(join(outdir, 'fingerprints.json'), JSON.stringify(fingerprints, null, 2) + '\n');

// The code cache of Node 20 (src/cli/code-cache.ts, which bin/tapctl.cjs loads before the bundle), in a file of its
// own with this build's id written in: a hash of every bundle file, so no cache of another build is ever used.
const buildId = bundleHash(outdir).slice(0, 16);
await build({
  ...output,
  format: 'cjs',
  entryPoints: [join(dist, 'cli', 'code-cache.js')],
  outfile: join(outdir, CODE_CACHE_FILE),
  bundle: true,
  define: { TAPCTL_BUILD_ID: JSON.stringify(buildId) },
  logLevel: 'warning',
});

const bytes = merged.files.reduce((n, f) => n + statSync(f).size, 0);
console.log(`bundle: ${merged.files.length} files, ${(bytes / 1024).toFixed(0)} KiB in dist/bundle (start-up: ${merged.kernel.length} chunks merged into ${KERNEL_FILE})`);

/** sha256 over the names and bytes of the bundle's .js files, in name order. */
function bundleHash(dir) {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.js')) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}

function folderHash(dir) {
  const hash = createHash('sha256');
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.js$/.test(name)) hash.update(full.slice(dist.length)).update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}
