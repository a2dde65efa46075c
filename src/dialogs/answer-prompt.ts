import { type TurnContext } from 'botbuilder';
import { Prompt, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';
import { PhraseMatcher } from '../text/phrase-matcher';
import type { PhrasesContent } from '../content/phrases';

/**
 * Asks a guide question and understands the answer in Danish: a button title, a number
 * ("1" for the first button), or free text such as "ja tak", "jep", "nej desværre" or
 * "det ved jeg ikke". Botbuilder's ChoicePrompt has no Danish culture, so its defaults
 * would add English "or" and "(1)" to our questions; this prompt leaves the wording to the content.
 *
 * `options.choices` carry the answer ids the question accepts, in button order.
 */
export class AnswerPrompt extends Prompt<string> {
  private readonly matcher: PhraseMatcher<string>;

  constructor(dialogId: string, phrases: PhrasesContent) {
    super(dialogId);
    this.matcher = answerMatcher(phrases);
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (activity) await context.sendActivity(activity);
  }

  protected async onRecognize(context: TurnContext, _state: object, options: PromptOptions): Promise<PromptRecognizerResult<string>> {
    const value = this.recognize(context.activity.text ?? '', answerIdsOf(options));
    return value === undefined ? { succeeded: false } : { succeeded: true, value };
  }

  /** See {@link recognizeAnswer}. */
  recognize(text: string, allowed: readonly string[]): string | undefined {
    return recognizeAnswer(this.matcher, text, allowed);
  }
}

/** The answer id a reply gives among `allowed` (in button order), if it clearly gives one. */
export function recognizeAnswer(matcher: PhraseMatcher<string>, text: string, allowed: readonly string[]): string | undefined {
  const trimmed = text.trim();
  if (/^\d{1,2}$/.test(trimmed)) return allowed[Number(trimmed) - 1];
  // Match against every answer, not only the allowed ones: "det ved jeg ikke" must not
  // count as "nej" (via "ikke") just because a question offers no "Ved ikke".
  const best = matcher.match(trimmed);
  // People put the answer first: "nej, det har jeg desværre ikke" is a no, even though the
  // longer "det har jeg" later in the sentence is a yes phrase.
  const leading = matcher.leading(trimmed);
  const key = best && best.start > 0 && leading !== undefined ? leading : best?.key;
  return key !== undefined && allowed.includes(key) ? key : undefined;
}

/** A matcher for every answer id, its button label and the phrases people use instead. */
export function answerMatcher(phrases: PhrasesContent): PhraseMatcher<string> {
  const entries: Record<string, string[]> = {};
  for (const [id, answer] of Object.entries(phrases.answers)) entries[id] = [answer.label, ...answer.phrases];
  return new PhraseMatcher(entries);
}

function answerIdsOf(options: PromptOptions): string[] {
  return (options.choices ?? []).map((choice) => (typeof choice === 'string' ? choice : choice.value));
}
