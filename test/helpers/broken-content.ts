import type { Content } from '../../src/content/load-content';
import { readSources, type ContentSources } from '../../src/content/sources';
import { validateContent, type Problem, type ValidateOptions } from '../../src/content/validate-content';
import type { FaqIntent, IntentId } from '../../src/content/intents-content';
import { content } from './bot-harness';

export const shippedSources: ContentSources = readSources(new URL('../..', `file://${__dirname}/`).pathname);

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
