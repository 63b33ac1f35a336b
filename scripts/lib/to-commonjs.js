// The last step of scripts/bundle.js: every file of the bundle becomes a CommonJS module.
//
// Why: Node 20 starts an ES module program through its ES module loader, which reads each file through libuv's
// thread pool (four more threads than `node -e 0` starts) and links asynchronously; a CommonJS program reads and
// compiles its files synchronously on the main thread. Measured on the 2-core machine, interleaved, same code:
// `config` 94 -> 87 ms of CPU, `validate` 121 -> 113, a cached synth 93 -> 89, `--help` 84 -> 80 (`node -e 0`: 60).
// Node 22's compile cache (bin/tapctl.cjs turns it on) also covers CommonJS.
//
// esbuild splits code only in ES module output, so the split, merged bundle is made as ES modules first and each
// file is then printed again by esbuild as CommonJS:
//   - static imports become require() calls, exports live getters on module.exports (esbuild's own interop);
//   - every import() becomes a require() on a resolved promise (`dynamic-import` marked unsupported), for chunks
//     and packages alike: a lazily loaded chunk stays lazy, and loads without the ES module loader. Every package
//     tapctl imports lazily (toolkit-lib, @inquirer/prompts, tar) ships CommonJS; one that does not fails the build
//     here instead of at a user's run;
//   - `import.meta.url` becomes the file's own URL, made from __filename where a file uses it.
// Top-level await has no CommonJS form: esbuild refuses it, and so the build fails (src/cli/main.ts has none).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { transform } from 'esbuild';

const MODULE_URL = '__tapctlModuleUrl';

/**
 * Rewrites every .js file in `dir` (the final bundle, ES modules) as CommonJS in place and marks the folder
 * CommonJS with a package.json (`"type": "commonjs"`). `options`: the esbuild output options kept (target,
 * minify*). `root`: where bare package names resolve from. Returns the package names imported lazily.
 */
export async function toCommonJs({ dir, options, root }) {
  const packages = new Set();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const file = join(dir, name);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/\bimport\(\s*"([^"./][^"]*)"\s*\)/g)) if (!spec.startsWith('node:')) packages.add(spec);
    // esbuild's CommonJS output turns any other use of import.meta into undefined, silently.
    if (/\bimport\.meta\b(?!\.url\b)/.test(source)) throw new Error(`to-commonjs: ${name} uses import.meta beyond import.meta.url, which has no CommonJS form here`);
    const usesUrl = source.includes('import.meta.url');
    const result = await transform(source, {
      target: options.target,
      minifyWhitespace: options.minifyWhitespace,
      minifySyntax: options.minifySyntax,
      legalComments: 'none',
      format: 'cjs',
      platform: 'node',
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': MODULE_URL },
      banner: usesUrl ? `"use strict";const ${MODULE_URL}=require("node:url").pathToFileURL(__filename).href;` : '"use strict";',
      sourcefile: name,
      logLevel: 'silent',
    }).catch((e) => {
      throw new Error(`to-commonjs: ${name}: ${e.errors?.[0]?.text ?? e.message}`);
    });
    writeFileSync(file, result.code);
  }
  const require = createRequire(join(root, 'package.json'));
  for (const spec of packages) {
    try {
      require.resolve(spec);
    } catch (e) {
      throw new Error(`to-commonjs: the bundle imports '${spec}' lazily, which has no CommonJS entry (${e.code}); the CommonJS bundle cannot require it`);
    }
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  return [...packages].sort();
}
