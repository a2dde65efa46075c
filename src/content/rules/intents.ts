import type { FollowUpKind } from '../follow-ups';
import { NONE_INTENT, type IntentId } from '../intents-content';
import { normalizeText } from '../../text/normalize';
import type { Content } from '../load-content';
import { at, excerpt, FILES, type Problem } from './problem';

/** Small talk answers with no facts, so these alone may name no source. */
const WITHOUT_FACTS: ReadonlySet<IntentId> = new Set<IntentId>(['greeting', 'thanks', 'goodbye', 'restart']);

/**
 * An example teaches the classifier one intent: the same sentence (as the classifier reads it,
 * normalised) under two intents, or under an intent and out of scope, teaches it nothing.
 */
function sharedExamples(content: Content): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  const claim = (text: string, owner: string, file: string, path: Array<string | number>) => {
    const key = normalizeText(text);
    const before = owners.get(key);
    if (before === undefined) owners.set(key, owner);
    else if (before !== owner) problems.push(at(file, path, `${owner}: eksemplet ${excerpt(text)} står også under / example is also under ${before}`));
  };
  [...content.intents.intents.values()].forEach((intent, i) => intent.examples.forEach((text, j) => claim(text, intent.id, FILES.faq, ['intents', i, 'examples', j])));
  content.intents.outOfScope.forEach((text, j) => claim(text, NONE_INTENT, FILES.outOfScope, ['examples', j]));
  return problems;
}

/** Titles, follow-ups and sources of each intent in faq.yaml. */
function intentEntries(content: Content): Problem[] {
  const problems: Problem[] = [];
  const titles = new Map<string, IntentId>();
  [...content.intents.intents.values()].forEach((intent, i) => {
    const title = normalizeText(intent.title);
    const before = titles.get(title);
    // A tapped title is taken as exactly one intent.
    if (before !== undefined) problems.push(at(FILES.faq, ['intents', i, 'title'], `${intent.id}: samme titel som / same title as ${before}`));
    else titles.set(title, intent.id);
    const self = intent.followUps.indexOf(intent.id);
    if (self >= 0) problems.push(at(FILES.faq, ['intents', i, 'followUps', self], `${intent.id}: peger på sig selv / points to itself`));
    if (intent.sources.length === 0 && !WITHOUT_FACTS.has(intent.id)) problems.push(at(FILES.faq, ['intents', i, 'sources'], `${intent.id}: svaret har fakta, men ingen kilde / the answer states facts but names no source`));
  });
  return problems;
}

/**
 * Follow-up answers are about an intent the bot can have answered last, and never answer a kind
 * the sources say nothing about for any topic (`neverInSources`: prices, phone numbers, hours).
 */
function followUpTopics(content: Content): Problem[] {
  const { kinds, topics } = content.followUps;
  const problems: Problem[] = [];
  for (const [id, topic] of Object.entries(topics)) {
    if (!content.intents.intents.has(id as IntentId)) problems.push(at(FILES.followUps, ['topics', id], `${id} er ikke et intent i ${FILES.faq} / is not an intent in ${FILES.faq}`));
    for (const [kind, answer] of Object.entries(topic.answers) as Array<[FollowUpKind, unknown]>) {
      if (answer && kinds[kind].neverInSources) {
        problems.push(at(FILES.followUps, ['topics', id, 'answers', kind], `kinds.${kind} har neverInSources: kilderne siger intet om det / kinds.${kind} is neverInSources: the sources say nothing about it`));
      }
    }
  }
  return problems;
}

export function intentRules(content: Content): Problem[] {
  return [...sharedExamples(content), ...intentEntries(content), ...followUpTopics(content)];
}
