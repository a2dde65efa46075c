import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ClassifierSettings } from '../content/classifier-settings';
import type { ClassifierTables } from './intent-classifier';
import type { IntentContent } from '../content/intents-content';
import { IntentRecognizer, trainingExamples } from './recognizer';

/** Bump when the tables' layout changes. */
const FORMAT = 1;
const PREFIX = 'classifier-';

/**
 * What the tables depend on besides the examples and settings: the code that turns text into
 * features and trains, ours and the libraries'. A change to any of it trains afresh.
 */
function codeFingerprint(): string {
  const ext = path.extname(__filename);
  const ours = ['features', 'intent-classifier', 'similarity-index', 'linear-model', path.join('..', 'text', 'normalize')].map((name) => path.join(__dirname, `${name}${ext}`));
  const resolve = createRequire(__filename).resolve;
  const theirs = ['snowball-stemmers', 'natural/lib/natural/classifiers/bayes_classifier', 'apparatus/lib/apparatus/classifier/bayes_classifier'].map((id) => resolve(id));
  const hash = createHash('sha256');
  for (const file of [...ours, ...theirs]) hash.update(readFileSync(file));
  return hash.digest('hex');
}

/** The cache file for these examples and settings under `directory`. */
export function classifierCacheFile(directory: string, content: IntentContent, settings: ClassifierSettings): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ format: FORMAT, examples: trainingExamples(content), features: settings.features, bayesWeight: settings.bayesWeight, linear: settings.linear, code: codeFingerprint() }))
    .digest('hex');
  return path.join(directory, 'cache', `${PREFIX}${key.slice(0, 40)}.json`);
}

function readTables(file: string): ClassifierTables | undefined {
  try {
    const tables = JSON.parse(readFileSync(file, 'utf8')) as ClassifierTables;
    const ok = Array.isArray(tables.labels) && Array.isArray(tables.logLikelihood) && Array.isArray(tables.similarity?.postings);
    return ok ? tables : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where `npm run build` leaves tables for the content it was built with (scripts/build-caches.ts):
 * dist/, whose cache/ also holds the parsed YAML. A new installation, or a fresh DATA_DIR, then
 * starts without training. From src/ under tsx the code fingerprint differs, so nothing matches.
 */
const SHIPPED_DIR = path.join(__dirname, '..', '..');

/**
 * The recognizer, trained at most once per content and code version: the trained tables are
 * kept in `<directory>/cache/`, named by a hash of everything they depend on, so a changed
 * example, setting or feature code is never scored with old tables. Tables the build made
 * (`<shipped>/cache/`) count too. Training took about 0.4 s of a start-up; reading the tables
 * takes a tenth of that. Without `directory`, or when the cache cannot be read or written, the
 * recognizer is simply trained.
 */
export function loadRecognizer(content: IntentContent, settings: ClassifierSettings, directory: string | undefined, shipped = SHIPPED_DIR): IntentRecognizer {
  if (!directory) return new IntentRecognizer(content, settings);
  const file = classifierCacheFile(directory, content, settings);
  const tables = readTables(file) ?? readTables(path.join(shipped, 'cache', path.basename(file)));
  if (tables) return new IntentRecognizer(content, settings, undefined, tables);
  const recognizer = new IntentRecognizer(content, settings);
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(temp, JSON.stringify(recognizer.classifierTables()), { flag: 'wx', mode: 0o600 });
    renameSync(temp, file);
    // Tables of earlier versions (and temp files of a crashed write) are of no more use.
    for (const name of readdirSync(path.dirname(file))) {
      if (name.startsWith(PREFIX) && name !== path.basename(file)) rmSync(path.join(path.dirname(file), name), { force: true });
    }
  } catch {
    // A read-only data directory only costs the training at the next start.
  }
  return recognizer;
}
