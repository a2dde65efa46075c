import type { Dated } from '../content/dated';
import type { FollowUpKind } from '../content/follow-ups';
import type { Content } from '../content/load-content';
import type { IntentId } from '../content/intents-content';
import { PhraseMatcher } from '../text/phrase-matcher';

/** A follow-up question: what it asks, about which topic, and what the sources say (if anything). */
export interface FollowUp {
  kind: FollowUpKind;
  topic?: IntentId;
  known?: Dated<string>;
}

// Longer messages carry a question of their own; the classifier reads them.
const MAX_WORDS = 12;

/**
 * Reads short follow-up questions ("hvor lang tid tager det så?", "og hvad koster det?") against
 * the topic just answered, or the topic the message names itself ("hvad koster en kodeviser?").
 * A message that names some other subject ("hvor lang tid kan jeg bruge NemID?") is no follow-up.
 */
export class FollowUpReader {
  private readonly kinds: PhraseMatcher<FollowUpKind>;
  private readonly topics: PhraseMatcher<IntentId>;
  private readonly topicWords: ReadonlySet<string>;

  constructor(private readonly content: Content) {
    const { kinds, fillers, topics } = content.followUps;
    this.kinds = new PhraseMatcher(
      Object.fromEntries(Object.entries(kinds).map(([kind, k]) => [kind, k.phrases])) as Record<FollowUpKind, string[]>,
      { stemmed: true, fillers },
    );
    const words = Object.fromEntries(Object.entries(topics).filter(([, t]) => t.words.length > 0).map(([id, t]) => [id, t.words])) as Record<IntentId, string[]>;
    this.topics = new PhraseMatcher(words, { stemmed: true });
    this.topicWords = new Set(Object.values(words).flat().flatMap((w) => this.topics.words(w)));
  }

  read(text: string, lastTopic: IntentId | undefined): FollowUp | undefined {
    const kind = this.kinds.match(text)?.key;
    if (kind === undefined || this.kinds.words(text).length > MAX_WORDS) return undefined;
    const leftover = this.kinds.rest(text).filter((word) => !this.topicWords.has(word));
    if (leftover.length > 0) return undefined;
    const topic = [...this.topics.keysIn(text).keys()][0] ?? lastTopic;
    // Without a topic only what the sources never say (prices, phone numbers) gets the honest
    // answer; "hvad skal jeg tage med?" alone is left to the classifier and the fallback.
    if (topic === undefined) return this.content.followUps.kinds[kind].neverInSources ? { kind } : undefined;
    const known = this.content.followUps.topics[topic]?.answers[kind]?.text;
    return known ? { kind, topic, known } : { kind, topic };
  }
}
