import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load-content';
import { classifierCacheFile, loadRecognizer } from '../src/nlu/classifier-cache';
import { IntentRecognizer } from '../src/nlu/recognizer';
import { loadYaml } from '../src/content/yaml';
import { z } from 'zod';

const content = loadContent();
const heldout = loadYaml(path.join(__dirname, 'eval', 'heldout.yaml'), z.unknown()).data;
// Every string in the held-out file (questions and labels alike) is a message to classify.
const texts = JSON.stringify(heldout)
  .match(/"(?:[^"\\]|\\.)*"/g)!
  .map((quoted) => JSON.parse(quoted) as string)
  .filter((text) => text.length > 2);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-classifier-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('classifier tables cached in the data directory', () => {
  it('score every held-out message exactly as a freshly trained classifier', () => {
    const fresh = new IntentRecognizer(content.intents, content.classifier);
    loadRecognizer(content.intents, content.classifier, dir);
    const file = classifierCacheFile(dir, content.intents, content.classifier);
    expect(existsSync(file)).toBe(true);
    const cached = loadRecognizer(content.intents, content.classifier, dir);
    expect(cached.classifierTables()).toEqual(fresh.classifierTables());
    expect(texts.length).toBeGreaterThan(50);
    for (const text of texts) expect(cached.recognize(text)).toEqual(fresh.recognize(text));
  });

  it('is keyed by the examples and settings, and old tables are removed', () => {
    loadRecognizer(content.intents, content.classifier, dir);
    const before = classifierCacheFile(dir, content.intents, content.classifier);
    const changed = { ...content.classifier, bayesWeight: content.classifier.bayesWeight / 2 };
    const after = classifierCacheFile(dir, content.intents, changed);
    expect(after).not.toBe(before);
    loadRecognizer(content.intents, changed, dir);
    expect(readdirSync(path.dirname(after))).toEqual([path.basename(after)]);
  });

  it('trains again when the cache file is damaged', () => {
    const fresh = new IntentRecognizer(content.intents, content.classifier);
    loadRecognizer(content.intents, content.classifier, dir);
    writeFileSync(classifierCacheFile(dir, content.intents, content.classifier), '{"labels": [');
    const recognizer = loadRecognizer(content.intents, content.classifier, dir);
    expect(recognizer.recognize('kan jeg beholde nemid')).toEqual(fresh.recognize('kan jeg beholde nemid'));
  });
});
