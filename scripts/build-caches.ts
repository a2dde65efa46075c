/**
 * Run by `npm run build` after tsc, from dist/: keeps what every start-up would otherwise work out
 * again in dist/cache, so the compiled server starts without parsing YAML, training or compiling:
 * - the parse of each content YAML file (src/content/yaml.ts says how it is found again);
 * - the trained classifier's tables (src/nlu/classifier-cache.ts);
 * - V8's code cache for every module the server loads (src/boot/compile-cache.ts).
 * All are named by hashes of what they were made from, so edited content or code is never served stale.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { COMPILE_CACHE_DIR, enableCompileCache, saveCompileCache } from '../src/boot/compile-cache';

// Before anything else is loaded, so that every module the server uses goes through the cache.
rmSync(COMPILE_CACHE_DIR, { recursive: true, force: true });
enableCompileCache(COMPILE_CACHE_DIR);

// Loaded after the cache is on (an import would be hoisted above it).
/* eslint-disable @typescript-eslint/no-require-imports */
const { loadContent } = require('../src/content/load-content') as typeof import('../src/content/load-content');
const { keepParsed, onYamlParsed, PARSED_YAML_DIR } = require('../src/content/yaml') as typeof import('../src/content/yaml');
const { loadRecognizer } = require('../src/nlu/classifier-cache') as typeof import('../src/nlu/classifier-cache');
// The rest of the server, loaded (not started) so that its modules are compiled and kept too.
require('../src/app');
require('../src/startup');
require('../src/logger');
/* eslint-enable @typescript-eslint/no-require-imports */

// Parse everything afresh (and drop parses of older texts) so the cache holds exactly today's files.
for (const name of safeList(PARSED_YAML_DIR)) if (name.startsWith('yaml-')) rmSync(path.join(PARSED_YAML_DIR, name), { force: true });
const parsed = new Map<string, unknown>();
onYamlParsed((raw, value) => parsed.set(raw, value));
const content = loadContent();
onYamlParsed(undefined);
let kept = 0;
for (const [raw, value] of parsed) if (keepParsed(raw, value)) kept++;

// The build's own dist/ is where loadRecognizer looks for shipped tables; it trains and writes them there.
loadRecognizer(content.intents, content.classifier, path.dirname(PARSED_YAML_DIR), path.dirname(PARSED_YAML_DIR));
const compiled = saveCompileCache();
process.stdout.write(`build-caches: ${kept} YAML files, the classifier tables and ${compiled} compiled modules kept in ${path.relative(process.cwd(), PARSED_YAML_DIR)}\n`);

function safeList(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
