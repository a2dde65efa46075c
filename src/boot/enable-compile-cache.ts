// The first import of src/main.ts, so that every module after it is compiled with the cache.
// Only for the compiled server: under tsx the sources are compiled by tsx's own hooks, and the
// directory beside src/ would be outside dist/.
import { COMPILE_CACHE_DIR, enableCompileCache } from './compile-cache';

if (__filename.endsWith('.js')) enableCompileCache(COMPILE_CACHE_DIR);
