import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Content } from '../../src/content/load-content';
import { readSources, type ContentSources } from '../../src/content/sources';
import { validateContent, type Problem, type ValidateOptions } from '../../src/content/validate-content';
import type { FaqIntent, IntentId } from '../../src/content/intents-content';
import { content } from './bot-harness';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const shippedSources: ContentSources = readSources(repoRoot);

/** The problems the validator finds in a copy of the shipped content after `edit`: each rule is shown to fire on one small break. */
export function problemsAfter(edit: (copy: Content) => void, sources: ContentSources = shippedSources, options: ValidateOptions = {}): Problem[] {
  const copy = structuredClone(content);
  edit(copy);
  return validateContent(copy, sources, options);
}

/** An intent of a copy, to be changed in place. */
export function intentOf(copy: Content, id: IntentId): FaqIntent {
  return copy.intents.intents.get(id)!;
}

/** Where an intent stands in faq.yaml, as the problems' paths name it. */
export function intentIndex(id: IntentId): number {
  return [...content.intents.intents.keys()].indexOf(id);
}

/** A problem as a `file: path` pair and its message, for readable failures. */
export const where = (p: Problem) => `${p.file}: ${p.path}`;

/** A copy of the content folders (dialogs/, intents/ with its sources, test/eval/heldout.yaml) in a new temporary folder; the caller removes it. */
export function copyContentRoot(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-content-'));
  cpSync(path.join(repoRoot, 'dialogs'), path.join(dir, 'dialogs'), { recursive: true });
  cpSync(path.join(repoRoot, 'intents'), path.join(dir, 'intents'), { recursive: true });
  mkdirSync(path.join(dir, 'test', 'eval'), { recursive: true });
  cpSync(path.join(repoRoot, 'test', 'eval', 'heldout.yaml'), path.join(dir, 'test', 'eval', 'heldout.yaml'));
  return dir;
}

/** Rewrites one YAML file of a copied root (`file` relative to it) after `edit` changed its parsed data. */
export function editYaml<T = Record<string, unknown>>(root: string, file: string, edit: (data: T) => void): void {
  const target = path.join(root, file);
  const data = parse(readFileSync(target, 'utf8')) as T;
  edit(data);
  writeFileSync(target, stringify(data));
}
