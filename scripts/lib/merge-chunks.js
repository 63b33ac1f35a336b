// The second step of scripts/bundle.js: the chunks every start loads become one file.
//
// Why: esbuild's code splitting gives every set of entry points that share code a chunk of its own, and every
// dynamic import() is an entry point. A module that the start-up code and some lazily loaded code both use (errors,
// quote, option checks ...) so lands in a small shared chunk, never in the entry file, and a start loads some twenty
// such files. Node's ES module loader pays per file (resolve, read, compile, link: about half a millisecond each
// here), far more than for the same bytes in one file; esbuild has no option to merge chunks.
//
// What it does, on esbuild's own output (pass 1) and with esbuild again:
//   - the kernel: every chunk the entry imports statically (all of them load at every start anyway), bundled into
//     one module, `kernel.js`, that re-exports each chunk's exports under the same names;
//   - every other output (the entry, and the chunks dynamic imports load) is printed again by esbuild with its
//     imports of those chunks pointed at `kernel.js`. Nothing else about them changes.
// Lazily loaded code stays lazy: nothing that was not loaded at start-up before is loaded now.
//
// Refused (the build fails) rather than guessed: two merged chunks exporting the same name (a re-export would be
// ambiguous), a merged chunk importing a lazily loaded one statically (it would then load at start-up).
import { basename, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

export const KERNEL_FILE = 'kernel.js';

/**
 * `metafile`: pass 1's (paths relative to `options.absWorkingDir`); `pass1Dir`: where pass 1 wrote; `outdir`: where the final files
 * go; `entry`: pass 1's entry output (absolute). `options`: the esbuild output options to keep (format, target ...).
 * Returns { kernel: [chunk file names merged], files: [final output paths] }.
 */
export async function mergeStartupChunks({ metafile, pass1Dir, outdir, entry, options }) {
  const cwd = options.absWorkingDir;
  const outputs = new Map(Object.entries(metafile.outputs).filter(([p]) => p.endsWith('.js')).map(([p, o]) => [resolve(cwd, p), o]));
  const staticImports = (file) => outputs.get(file).imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => resolve(cwd, i.path));

  // The chunks the entry loads statically, in the order Node evaluates them (depth first, imports in order).
  const kernel = [];
  const seen = new Set([entry]);
  const visit = (file) => {
    for (const dep of staticImports(file)) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      visit(dep);
      kernel.push(dep);
    }
  };
  visit(entry);
  const inKernel = new Set(kernel);

  const exporter = new Map();
  for (const file of kernel) {
    for (const name of outputs.get(file).exports) {
      if (exporter.has(name)) throw new Error(`merge-chunks: ${basename(file)} and ${basename(exporter.get(name))} both export '${name}'; the kernel cannot re-export both`);
      exporter.set(name, file);
    }
    const lazyDep = staticImports(file).find((d) => !inKernel.has(d));
    if (lazyDep) throw new Error(`merge-chunks: ${basename(file)} imports ${basename(lazyDep)} statically, which is not part of start-up`);
  }

  const kernelPath = join(outdir, KERNEL_FILE);
  // Everything that is not a kernel chunk stays where it is, as an external import of the same relative path.
  const resolveTo = (kernelTarget) => ({
    name: 'kernel-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = args.path.startsWith('.') ? resolve(args.resolveDir, args.path) : undefined;
        if (target && inKernel.has(target)) return kernelTarget(target);
        return { path: args.path, external: true };
      });
    },
  });

  const shared = { ...options, bundle: true, splitting: false, write: true, logLevel: 'warning', metafile: true };
  // The kernel: each chunk bundled in, in evaluation order.
  const kernelBuild = await build({
    ...shared,
    stdin: { contents: kernel.map((f) => `export * from ${JSON.stringify(`./${relative(pass1Dir, f)}`)};`).join('\n'), resolveDir: pass1Dir, sourcefile: KERNEL_FILE, loader: 'js' },
    outfile: kernelPath,
    plugins: [resolveTo((target) => ({ path: target }))],
  });

  // Everything else, printed again with its kernel imports pointed at kernel.js.
  const rest = [...outputs.keys()].filter((f) => !inKernel.has(f));
  const restBuild = await build({
    ...shared,
    entryPoints: rest,
    outdir,
    outbase: pass1Dir,
    plugins: [resolveTo(() => ({ path: `./${KERNEL_FILE}`, external: true }))],
  });

  // The kernel's exports must be every export of the chunks it holds.
  const kernelOut = Object.values(kernelBuild.metafile.outputs).find((o) => o.exports);
  const missing = [...exporter.keys()].filter((n) => !kernelOut.exports.includes(n));
  if (missing.length) throw new Error(`merge-chunks: the kernel does not export ${missing.join(', ')}`);

  return { kernel: kernel.map((f) => basename(f)), files: [kernelPath, ...Object.keys(restBuild.metafile.outputs).map((p) => resolve(cwd, p))] };
}

