import { z } from 'zod';
import { NONE_INTENT, type IntentId } from '../intents-content';
import { normalizeText } from '../../text/normalize';
import type { Content } from '../load-content';
import { at, excerpt, FILES, type Problem } from './problem';

export const heldoutSchema = z
  .object({ utterances: z.array(z.object({ text: z.string().trim().min(1), intent: z.string().trim().min(1) }).strict()).min(1) })
  .strict();
export type HeldoutUtterance = z.output<typeof heldoutSchema>['utterances'][number];

// Enough to measure: npm run eval reports per-intent scores and out-of-scope recall from this set.
const MIN_UTTERANCES = 150;
const MIN_OUT_OF_SCOPE = 25;
const MIN_PER_INTENT = 5;

/**
 * The held-out set (test data, so checked by content:check and the tests, not at start-up) names
 * real intents, covers each of them and out of scope, and shares no sentence with the training examples.
 */
export function heldoutRules(content: Content, heldout: readonly HeldoutUtterance[]): Problem[] {
  const problems: Problem[] = [];
  const training = new Set([...[...content.intents.intents.values()].flatMap((i) => i.examples), ...content.intents.outOfScope].map(normalizeText));
  const counts = new Map<string, number>();
  heldout.forEach((u, i) => {
    counts.set(u.intent, (counts.get(u.intent) ?? 0) + 1);
    if (u.intent !== NONE_INTENT && !content.intents.intents.has(u.intent as IntentId)) {
      problems.push(at(FILES.heldout, ['utterances', i, 'intent'], `ukendt intent / unknown intent ${u.intent}`));
    }
    if (training.has(normalizeText(u.text))) problems.push(at(FILES.heldout, ['utterances', i, 'text'], `${excerpt(u.text)} står også i træningsdata / is also a training example`));
  });
  if (heldout.length < MIN_UTTERANCES) problems.push(at(FILES.heldout, ['utterances'], `kun ${heldout.length}, mindst ${MIN_UTTERANCES} / only ${heldout.length}, at least ${MIN_UTTERANCES}`));
  const none = counts.get(NONE_INTENT) ?? 0;
  if (none < MIN_OUT_OF_SCOPE) problems.push(at(FILES.heldout, ['utterances'], `kun ${none} uden for emnet, mindst ${MIN_OUT_OF_SCOPE} / only ${none} out of scope, at least ${MIN_OUT_OF_SCOPE}`));
  for (const id of content.intents.intents.keys()) {
    const n = counts.get(id) ?? 0;
    if (n < MIN_PER_INTENT) problems.push(at(FILES.heldout, ['utterances'], `${id}: kun ${n}, mindst ${MIN_PER_INTENT} / only ${n}, at least ${MIN_PER_INTENT}`));
  }
  return problems;
}
