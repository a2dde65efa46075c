import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * V8's code cache for the CommonJS modules the server loads (about 1,500 files, 11 MB):
 * compiling them was a quarter of start-up, and with the cache V8 skips most of it.
 *
 * Node 22 has this built in (`module.enableCompileCache`), and it is used when present. Node 20
 * has not, so here `Module.prototype._compile` compiles each module as a `vm.Script` with the
 * cached data, the way Node wrapped modules before it had `compileFunction`. Anything it cannot
 * compile that way (an ES module loaded through `require`, say), and modules with `import()`,
 * go to Node's own compiler.
 *
 * Entries are named by a hash of the file name, its source and the Node version, so a changed
 * file or Node only misses. The cache is a speed-up only: a missing, unreadable or rejected
 * entry compiles as usual, and a directory that cannot be written is left alone.
 */

/**
 * dist/cache/v8 for the compiled server, beside the other caches `npm run build` fills
 * (scripts/build-caches.ts loads every server module once, so a new installation starts warm).
 */
export const COMPILE_CACHE_DIR = path.join(__dirname, '..', '..', 'cache', 'v8');

type Compile = (this: Module, content: string, filename: string) => unknown;

interface Pending {
  file: string;
  script: vm.Script;
}

let pending: Pending[] | undefined;
let directory = '';

/** Turns the cache on for modules loaded from now on, kept in `cacheDirectory`. */
export function enableCompileCache(cacheDirectory: string): void {
  const native = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (native) {
    native(cacheDirectory);
    return;
  }
  if (pending) return;
  pending = [];
  directory = cacheDirectory;
  const original = (Module.prototype as unknown as { _compile: Compile })._compile;
  (Module.prototype as unknown as { _compile: Compile })._compile = function compileWithCache(content, filename) {
    const compiled = compileCached(this, content, filename);
    return compiled ? compiled.value : original.call(this, content, filename);
  };
}

/**
 * Writes the entries of modules compiled since the cache was turned on. Called some seconds after
 * start-up, when the functions the server runs have been compiled too and are in the data.
 */
export function saveCompileCache(): number {
  const entries = pending?.splice(0) ?? [];
  if (entries.length === 0) return 0;
  try {
    mkdirSync(directory, { recursive: true });
    for (const { file, script } of entries) writeFileSync(file, script.createCachedData());
  } catch {
    return 0;
  }
  return entries.length;
}

// Node 20 loses a script's dynamic-import callback when V8 restores it from cached data, so
// `import()` would throw there: modules that may contain one compile the usual way.
const DYNAMIC_IMPORT = /\bimport\s*\(/;

function compileCached(module: Module, content: string, filename: string): { value: unknown } | undefined {
  if ((!filename.endsWith('.js') && !filename.endsWith('.cjs')) || DYNAMIC_IMPORT.test(content)) return undefined;
  const file = path.join(directory, createHash('sha1').update(`${process.version}\0${filename}\0`).update(content).digest('hex'));
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  let script: vm.Script;
  try {
    script = new vm.Script(Module.wrap(content.startsWith('#!') ? `//${content}` : content), { filename, cachedData });
  } catch {
    return undefined;
  }
  if (!cachedData || script.cachedDataRejected) pending?.push({ file, script });
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  return { value: wrapper.call(module.exports, module.exports, requireFor(module), module, filename, path.dirname(filename)) };
}

/** The `require` a module gets from Node, rebuilt from Module's public pieces. */
function requireFor(module: Module): NodeJS.Require {
  const statics = Module as unknown as {
    _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
    _resolveLookupPaths(request: string, parent: Module): string[] | null;
    _extensions: NodeJS.RequireExtensions;
    _cache: NodeJS.Dict<NodeJS.Module>;
  };
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => statics._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => statics._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = statics._extensions;
  require.cache = statics._cache;
  return require;
}
