import { ActivityTypes, InputHints, type Activity, type TurnContext } from 'botbuilder';
import type { DialogContext, DialogEvent, DialogInstance, DialogReason, DialogTurnResult, PromptOptions } from 'botbuilder-dialogs';
import { Dialog } from '../framework/dialog-classes';
import { PhraseMatcher } from '../text/phrase-matcher';
import type { PhrasesContent } from '../content/phrases';

/** What a prompt keeps on the dialog stack: the shape botbuilder's `Prompt` uses, so stored conversations carry on. */
interface PromptInstanceState {
  options: PromptOptions;
  state: Record<string, unknown>;
}

/**
 * Asks a guide question and understands the answer in Danish: a button title, a number
 * ("1" for the first button), or free text such as "ja tak", "jep", "nej desværre" or
 * "det ved jeg ikke". Botbuilder's ChoicePrompt has no Danish culture, so its defaults
 * would add English "or" and "(1)" to our questions; this prompt leaves the wording to the content.
 *
 * It does what botbuilder's `Prompt` base class does for a prompt without a validator, with the
 * same state on the dialog stack. `Prompt` itself is not used because its module loads
 * Microsoft's number recognizers for every language (1.2 MB of code, 0.2 s of start-up) for
 * choice lists this bot never draws, and it asks the dialog memory for an adaptive-dialog step count on every answer.
 *
 * `options.choices` carry the answer ids the question accepts, in button order.
 */
export class AnswerPrompt extends Dialog<PromptOptions> {
  private readonly matcher: PhraseMatcher<string>;

  constructor(dialogId: string, phrases: PhrasesContent) {
    super(dialogId);
    this.matcher = answerMatcher(phrases);
  }

  override async beginDialog(dc: DialogContext, options?: PromptOptions): Promise<DialogTurnResult> {
    const opt: PromptOptions = { ...options };
    for (const activity of [opt.prompt, opt.retryPrompt]) {
      if (activity && typeof activity === 'object' && typeof activity.inputHint !== 'string') activity.inputHint = InputHints.ExpectingInput;
    }
    const state = dc.activeDialog!.state as PromptInstanceState;
    state.options = opt;
    state.state = {};
    await this.prompt(dc.context, opt, false);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    if (dc.context.activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const state = dc.activeDialog!.state as PromptInstanceState;
    const value = this.recognize(dc.context.activity.text ?? '', answerIdsOf(state.options));
    if (value !== undefined) return dc.endDialog(value);
    if (!dc.context.responded) await this.prompt(dc.context, state.options, true);
    return Dialog.EndOfTurn;
  }

  override async resumeDialog(dc: DialogContext, _reason: DialogReason, _result?: unknown): Promise<DialogTurnResult> {
    await this.repromptDialog(dc.context, dc.activeDialog!);
    return Dialog.EndOfTurn;
  }

  override async repromptDialog(context: TurnContext, instance: DialogInstance): Promise<void> {
    await this.prompt(context, (instance.state as PromptInstanceState).options, false);
  }

  protected override async onPreBubbleEvent(dc: DialogContext, event: DialogEvent): Promise<boolean> {
    if (event.name !== 'activityReceived' || dc.context.activity.type !== ActivityTypes.Message) return false;
    const state = dc.activeDialog!.state as PromptInstanceState;
    return this.recognize(dc.context.activity.text ?? '', answerIdsOf(state.options)) !== undefined;
  }

  private async prompt(context: TurnContext, options: PromptOptions, isRetry: boolean): Promise<void> {
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (activity) await context.sendActivity(activity as string | Partial<Activity>);
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
  // "okay, nej så", "ok tak. nej det kan jeg ikke": the answer is what follows the acknowledgement.
  const rest = matcher.afterFillers(trimmed);
  const reply = rest.length > 0 ? rest.join(' ') : trimmed;
  // Match against every answer, not only the allowed ones: "det ved jeg ikke" must not
  // count as "nej" (via "ikke") just because a question offers no "Ved ikke".
  const best = matcher.match(reply);
  // People put the answer first: "nej, det har jeg desværre ikke" is a no, even though the
  // longer "det har jeg" later in the sentence is a yes phrase.
  const leading = matcher.leading(reply);
  const key = best && best.start > 0 && leading !== undefined ? leading : best?.key;
  return key !== undefined && allowed.includes(key) ? key : undefined;
}

/** A matcher for every answer id, its button label and the phrases people use instead. */
export function answerMatcher(phrases: PhrasesContent): PhraseMatcher<string> {
  const entries: Record<string, string[]> = {};
  for (const [id, answer] of Object.entries(phrases.answers)) entries[id] = [answer.label, ...answer.phrases];
  // "ok tak, nej det kan jeg ikke" begins with "nej": acknowledgements before an answer are passed over.
  return new PhraseMatcher(entries, { fillers: phrases.acknowledgements });
}

function answerIdsOf(options: PromptOptions): string[] {
  return (options.choices ?? []).map((choice) => (typeof choice === 'string' ? choice : choice.value));
}
