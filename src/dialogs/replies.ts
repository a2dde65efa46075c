import { ActionTypes, ActivityTypes, InputHints, type Activity } from 'botbuilder';
import { danishToday, type Clock } from '../clock';
import { pickDated, type Dated } from '../content/dated';
import type { Content } from '../content/load-content';
import { fill } from '../content/placeholders';
import type { MessageId } from '../content/messages';
import type { QuestionNode } from '../content/guide-content';
import type { SourceFile } from '../content/intents-content';
import { sourceTitlesOf } from '../content/labels';

const danishOr = new Intl.ListFormat('da-DK', { type: 'disjunction' });

/**
 * Turns content into activities: picks the text in force today, fills placeholders and
 * adds buttons as `imBack` suggested actions, so a tap sends the button's title as text.
 */
/** Set on answers drawn from a source: `channelData[SOURCE_KEY]` = the source's title (Teams shows it as a card footer). */
export const SOURCE_KEY = 'mitidSource';

export class Replies {
  private readonly retryTexts = new Map<string, string>();

  constructor(
    private readonly content: Content,
    private readonly clock: Clock,
  ) {}

  /** Today's variant of a dated text. */
  text(dated: Dated<string>): string {
    return pickDated(dated, danishToday(this.clock));
  }

  /** A message from dialogs/messages.yaml. */
  message(id: MessageId, vars: Record<string, string | number> = {}): Partial<Activity> {
    const message = this.content.messages[id];
    const text = fill(this.text(message.text), vars);
    return message.buttons ? this.withButtons(text, message.buttons) : this.plain(text);
  }

  /** Marks an activity as drawn from `sourceTitle`; channels for staff show it (Teams: "Kilde: …"). */
  sourced(activity: Partial<Activity>, sourceTitle: string): Partial<Activity> {
    return { ...activity, channelData: { ...(activity.channelData as object | undefined), [SOURCE_KEY]: sourceTitle } };
  }

  /** The titles of the sources an answer is drawn from, for {@link sourced}. */
  sourceTitles(files: readonly SourceFile[]): string {
    return sourceTitlesOf(this.content.labels, files);
  }

  /** The line that says where an answer comes from ("Kilde: Fra NemID til MitID"), for staff. */
  sourceLine(sourceTitle: string): string {
    return fill(this.text(this.content.messages.sourceLine.text), { source: sourceTitle });
  }

  /** A text with optional buttons (dialogs/handoff.yaml), placeholders filled. */
  entry(entry: { text: string; buttons?: readonly string[] }, vars: Record<string, string | number> = {}): Partial<Activity> {
    const text = fill(entry.text, vars);
    return entry.buttons ? this.withButtons(text, entry.buttons) : this.plain(text);
  }

  /** The button titles offered for a guide question, in the order of its answers. */
  answerLabels(node: QuestionNode): string[] {
    return Object.keys(node.answers).map((answer) => this.content.phrases.answers[answer]!.label);
  }

  /** A guide question with its answers as buttons. */
  question(node: QuestionNode): Partial<Activity> {
    const activity = this.withButtons(this.text(node.text), this.answerLabels(node));
    activity.inputHint = InputHints.ExpectingInput;
    return activity;
  }

  /** The short re-prompt after a reply that answers none of a question's choices (built with every question asked). */
  retry(node: QuestionNode): Partial<Activity> {
    const labels = this.answerLabels(node);
    const template = this.text(this.content.messages.retry.text);
    const key = `${template}\n${labels.join('\n')}`;
    let text = this.retryTexts.get(key);
    if (text === undefined) {
      // Intl.ListFormat is slow to call, and the guide has a handful of answer sets.
      text = fill(template, { choices: danishOr.format(labels) });
      if (this.retryTexts.size < 100) this.retryTexts.set(key, text);
    }
    const activity = this.withButtons(text, labels);
    activity.inputHint = InputHints.ExpectingInput;
    return activity;
  }

  /** Plain text with Danish locale and markdown, as every reply is sent. */
  plain(text: string): Partial<Activity> {
    return { type: ActivityTypes.Message, text, textFormat: 'markdown', locale: 'da-DK', inputHint: InputHints.AcceptingInput };
  }

  /** Text with buttons that send their own title when tapped. */
  withButtons(text: string, buttons: readonly string[]): Partial<Activity> {
    // What MessageFactory.suggestedActions builds (no `to`: for everyone), without its card helpers' copying.
    const actions = buttons.map((title) => ({ type: ActionTypes.ImBack, title, value: title }));
    const suggestedActions = { actions } as Activity['suggestedActions'];
    return { type: ActivityTypes.Message, text, suggestedActions, textFormat: 'markdown', locale: 'da-DK', inputHint: InputHints.AcceptingInput };
  }
}
