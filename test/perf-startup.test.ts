import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
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
  // module.enableCompileCache came in Node 22.8 (the NODE_COMPILE_CACHE variable in 22.1).
  const nodeHasCache = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  // A cache the shell turned on or off would decide the outcome instead of the code under test.
  const { NODE_COMPILE_CACHE: _on, NODE_DISABLE_COMPILE_CACHE: _off, ...env } = process.env;

  // What modules rely on from Node's loader (this, __dirname, require.resolve, JSON, import() of
  // an ES module), so a cache that changed how modules load would show in the output.
  function writeFixture(): { cache: string; runner: string; expected: Record<string, unknown> } {
    const fixture = path.join(dir, 'fixture');
    mkdirSync(fixture);
    writeFileSync(
      path.join(fixture, 'a.js'),
      "const b = require('./b');\nmodule.exports = { value: b.value, later: b.later, dir: __dirname, resolved: require.resolve('./b'), json: require('./data.json'), thisIsExports: this === module.exports };\n",
    );
    writeFileSync(path.join(fixture, 'b.js'), "exports.value = 42;\nexports.later = () => import('./c.mjs').then((m) => m.default);\n");
    writeFileSync(path.join(fixture, 'c.mjs'), "export default 'esm';\n");
    writeFileSync(path.join(fixture, 'data.json'), '{"ok":true}');
    const cache = path.join(dir, 'cache');
    const runner = path.join(dir, 'runner.cjs');
    writeFileSync(
      runner,
      `const { enableCompileCache, saveCompileCache } = require(${JSON.stringify(path.join(ROOT, 'src', 'boot', 'compile-cache.ts'))});
const enabled = enableCompileCache(${JSON.stringify(cache)});
const a = require(${JSON.stringify(path.join(fixture, 'a.js'))});
a.later().then((later) => {
  const { later: _, ...rest } = a;
  process.stdout.write(JSON.stringify({ ...rest, later, enabled, saved: saveCompileCache(${JSON.stringify(cache)}) }));
});
`,
    );
    const expected = { value: 42, dir: fixture, resolved: path.join(fixture, 'b.js'), json: { ok: true }, thisIsExports: true, later: 'esm' };
    return { cache, runner, expected };
  }

  const run = (runner: string): Record<string, unknown> =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', runner], { cwd: ROOT, encoding: 'utf8', env })) as Record<string, unknown>;

  it('keeps the modules\' code where Node can (22.8 and later) and loads them the same either way', () => {
    const { cache, runner, expected } = writeFixture();
    if (!nodeHasCache) {
      // Node 20: loading is left to Node as it is, and nothing is written.
      expect(run(runner)).toEqual({ ...expected, enabled: false, saved: 0 });
      expect(existsSync(cache)).toBe(false);
      return;
    }
    expect(run(runner)).toMatchObject({ ...expected, enabled: true });
    // Node writes what it has not flushed when the process exits; by then every module loaded is in.
    const kept = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(run(runner)).toMatchObject({ ...expected, enabled: true, saved: kept });
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
