import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadContent } from '../src/content/load-content';
import { keepParsed, readParsed } from '../src/content/yaml';
import { classifierCacheFile, loadRecognizer } from '../src/nlu/classifier-cache';
import { IntentRecognizer } from '../src/nlu/recognizer';

const ROOT = path.join(__dirname, '..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-startup-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('V8 code cache for CommonJS modules (src/boot/compile-cache.ts)', () => {
  // A small module tree with what modules rely on from Node's wrapper: a shebang, `this`,
  // __dirname/__filename, require.resolve, require.main, JSON, a dynamic import of an ES module,
  // and a module that throws while loading (it must run once, not again through Node's compiler).
  function writeFixture(): { fixture: string; cache: string; runner: string } {
    const fixture = path.join(dir, 'fixture');
    mkdirSync(fixture);
    writeFileSync(
      path.join(fixture, 'a.js'),
      "#!/usr/bin/env node\nconst b = require('./b');\nmodule.exports = { value: b.value, later: b.later, dir: __dirname, file: __filename, resolved: require.resolve('./b'), isMain: require.main === module, json: require('./data.json'), thisIsExports: this === module.exports };\n",
    );
    writeFileSync(path.join(fixture, 'b.js'), "exports.value = 42;\nexports.later = () => import('./c.mjs').then((m) => m.default);\n");
    writeFileSync(path.join(fixture, 'c.mjs'), "export default 'esm';\n");
    writeFileSync(path.join(fixture, 'd.js'), "globalThis.dRuns = (globalThis.dRuns ?? 0) + 1;\nthrow new Error('boom');\n");
    writeFileSync(path.join(fixture, 'data.json'), '{"ok":true}');
    const cache = path.join(dir, 'cache');
    const runner = path.join(dir, 'runner.cjs');
    writeFileSync(
      runner,
      `const { enableCompileCache, saveCompileCache } = require(${JSON.stringify(path.join(ROOT, 'src', 'boot', 'compile-cache.ts'))});
enableCompileCache(${JSON.stringify(cache)});
const a = require(${JSON.stringify(path.join(fixture, 'a.js'))});
let error;
try { require(${JSON.stringify(path.join(fixture, 'd.js'))}); } catch (err) { error = err.message; }
a.later().then((later) => {
  const { later: _, ...rest } = a;
  process.stdout.write(JSON.stringify({ ...rest, later, error, dRuns: globalThis.dRuns, saved: saveCompileCache() }));
});
`,
    );
    return { fixture, cache, runner };
  }

  const run = (runner: string): Record<string, unknown> => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', runner], { cwd: ROOT, encoding: 'utf8' })) as Record<string, unknown>;

  it('loads modules exactly as Node does, keeps their code, and uses it on the next start', () => {
    const { fixture, cache, runner } = writeFixture();
    const expected = {
      value: 42,
      dir: fixture,
      file: path.join(fixture, 'a.js'),
      resolved: path.join(fixture, 'b.js'),
      isMain: false,
      json: { ok: true },
      thisIsExports: true,
      later: 'esm',
      error: 'boom',
      dRuns: 1,
    };
    const first = run(runner);
    // Node 22 and later keep their own cache (module.enableCompileCache) and write it themselves.
    const nativeCache = Number(process.versions.node.split('.')[0]) >= 22;
    // b.js holds an import(), so it is compiled the usual way and not kept (Node 20 loses the
    // dynamic-import callback of scripts restored from cached data); a.js and d.js are kept.
    expect(first).toEqual({ ...expected, saved: nativeCache ? 0 : 2 });
    if (nativeCache) return;
    expect(readdirSync(cache)).toHaveLength(2);
    // Second start: every module comes from the cache, so nothing new to save, and the same results.
    expect(run(runner)).toEqual({ ...expected, saved: 0 });
    // Damaged entries are rejected by V8: the modules compile as usual and the entries are rewritten.
    for (const name of readdirSync(cache)) writeFileSync(path.join(cache, name), 'not V8 code cache data');
    expect(run(runner)).toEqual({ ...expected, saved: 2 });
  });
});

describe('parsed YAML kept by the build (src/content/yaml.ts)', () => {
  it('is found again for exactly the same text only', () => {
    const raw = 'greeting: Hej\nitems: [1, 2]\n';
    const parsed = { greeting: 'Hej', items: [1, 2] };
    expect(keepParsed(raw, parsed, dir)).toBe(true);
    expect(readParsed(raw, dir)).toEqual(parsed);
    // An edited file (one character) is parsed again, never answered from the old parse.
    expect(readParsed(raw.replace('Hej', 'Hej!'), dir)).toBeUndefined();
  });

  it('keeps nothing JSON cannot hold exactly', () => {
    expect(keepParsed('limit: .inf\n', { limit: Number.POSITIVE_INFINITY }, dir)).toBe(false);
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it('holds every content file exactly as the yaml library parses it', () => {
    const files = ['dialogs', 'intents'].flatMap((folder) => readdirSync(path.join(ROOT, folder)).filter((name) => name.endsWith('.yaml')).map((name) => path.join(ROOT, folder, name)));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const raw = readFileSync(file, 'utf8');
      const parsed: unknown = parseYaml(raw);
      expect(keepParsed(raw, parsed, dir), file).toBe(true);
      expect(readParsed(raw, dir), file).toEqual(parsed);
    }
  });
});

describe('classifier tables shipped by the build (src/nlu/classifier-cache.ts)', () => {
  it('are used when the data directory has none, and score exactly as training does', () => {
    const content = loadContent();
    const shipped = path.join(dir, 'dist');
    // The build trains once into dist/cache …
    loadRecognizer(content.intents, content.classifier, shipped, shipped);
    const shippedFile = classifierCacheFile(shipped, content.intents, content.classifier);
    expect(existsSync(shippedFile)).toBe(true);
    // … and a server with an empty DATA_DIR reads those tables instead of training again
    // (training would have written its tables to DATA_DIR/cache).
    const data = path.join(dir, 'data');
    const recognizer = loadRecognizer(content.intents, content.classifier, data, shipped);
    expect(existsSync(path.join(data, 'cache'))).toBe(false);
    // Without the shipped tables the same call trains, and keeps the tables in DATA_DIR.
    loadRecognizer(content.intents, content.classifier, data, path.join(dir, 'nothing-shipped'));
    expect(existsSync(classifierCacheFile(data, content.intents, content.classifier))).toBe(true);
    const fresh = new IntentRecognizer(content.intents, content.classifier);
    for (const text of ['kan jeg beholde nemid', 'hvad er en kodeviser', 'hvad bliver vejret']) expect(recognizer.recognize(text)).toEqual(fresh.recognize(text));
  });
});
