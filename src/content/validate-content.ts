import type { Content } from './load-content';
import type { ContentSources } from './sources';
import { datedTextRules } from './rules/dated-texts';
import { guideRules } from './rules/guide';
import { heldoutRules, type HeldoutUtterance } from './rules/heldout';
import { intentRules } from './rules/intents';
import { phraseRules } from './rules/phrases';
import { placeholderRules } from './rules/placeholders';
import type { Problem } from './rules/problem';
import { quoteRules } from './rules/quotes';
import { textsOf } from './rules/texts';

export { formatProblem, type Problem } from './rules/problem';
export { heldoutSchema, type HeldoutUtterance } from './rules/heldout';

export interface ValidateOptions {
  /** test/eval/heldout.yaml: test data, checked by content:check and the tests, not at start-up. */
  heldout?: readonly HeldoutUtterance[];
}

/**
 * Every rule that spans more than one field or file, as `rasa data validate` does for Rasa: the
 * schemas check each file on its own, this checks that the files agree with each other, with the
 * sources and with the code. Each problem names its file and the path in it; none means sound.
 */
export function validateContent(content: Content, sources: ContentSources, options: ValidateOptions = {}): Problem[] {
  // Every text with its place, gathered once: two rules read them all, at every start-up.
  const texts = textsOf(content);
  return [
    ...guideRules(content),
    ...intentRules(content),
    ...phraseRules(content),
    ...placeholderRules(texts),
    ...quoteRules(content, sources),
    ...datedTextRules(content, texts),
    ...(options.heldout ? heldoutRules(content, options.heldout) : []),
  ];
}
