import { readdirSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';

/**
 * V8's code cache for the modules the compiled server loads (about 1,500 files): compiling them
 * was a quarter of start-up. Node 22.8 and later keep it themselves (`module.enableCompileCache`);
 * Node 20 has no such thing and compiles every module at each start, which is slower, not different.
 */

/**
 * dist/cache/v8 for the compiled server, beside the other caches `npm run build` fills
 * (scripts/build-caches.ts loads every server module once, so a new installation starts warm).
 */
export const COMPILE_CACHE_DIR = path.join(__dirname, '..', '..', 'cache', 'v8');

// Node 20's types lack all of these, and Node before 22.8 lacks them too, so each is looked up
// as optional. flushCompileCache came in 22.10; before that Node writes the cache at exit.
interface NativeCompileCache {
  enableCompileCache?: (directory: string) => { status: number };
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: { ENABLED: number; ALREADY_ENABLED: number } };
}

const native = Module as unknown as NativeCompileCache;

/**
 * Turns Node's cache on for modules loaded from now on, kept in `cacheDirectory`. False where
 * Node has none (20, and 22 before 22.8) or refuses it (NODE_DISABLE_COMPILE_CACHE=1, or a
 * directory it cannot make); the server then compiles as usual.
 */
export function enableCompileCache(cacheDirectory: string): boolean {
  const result = native.enableCompileCache?.(cacheDirectory);
  const status = native.constants?.compileCacheStatus;
  return result !== undefined && status !== undefined && (result.status === status.ENABLED || result.status === status.ALREADY_ENABLED);
}

/**
 * Writes what Node has compiled so far (where it can before exit) and counts the entries in
 * `cacheDirectory`, for the build to report.
 */
export function saveCompileCache(cacheDirectory = COMPILE_CACHE_DIR): number {
  native.flushCompileCache?.();
  try {
    return readdirSync(cacheDirectory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
  } catch {
    return 0;
  }
}
