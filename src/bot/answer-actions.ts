import type { Activity } from 'botbuilder';
import type { CommandId } from '../content/phrases';
import { NONE_INTENT, type IntentId } from '../content/intents-content';
import type { UnansweredReason } from '../nlu/unanswered-log';
import { maskPersonalData } from '../text/mask';
import type { FollowUp } from './follow-ups';
import type { ActionParts } from './turn-actions';
import type { Turn } from './turn';

const RECENT_INTENTS = 5;
// Intents that act like commands rather than getting an FAQ answer.
const INTENT_COMMANDS: Partial<Record<IntentId, CommandId>> = { human_agent: 'human' };
// Answers that are no topic a follow-up could be about.
const NOT_TOPICS: ReadonlySet<IntentId> = new Set(['greeting', 'thanks', 'goodbye', 'human_agent', 'restart']);

/**
 * What the bot answers to what a message asks: FAQ answers (one or two questions), "Mente du
 * …?", follow-ups on the last topic, the fallback, and messages empty or too long to read.
 */
export class AnswerActions {
  constructor(private readonly parts: ActionParts) {}

  /**
   * Sends an FAQ answer as true today, with its follow-ups as buttons (the guide first where
   * the intent offers it, and a plain "ja" then starts the guide). An intent answered by
   * walking the guide ("hvordan får jeg MitID?") starts it. Inside the guide the answer has no
   * buttons and the open question follows.
   */
  async answer(turn: Turn, intentId: IntentId, buttons = true): Promise<void> {
    const { deps, steps, actions: a } = this.parts;
    const command = INTENT_COMMANDS[intentId];
    if (command) return a.command(turn, command);
    this.remember(turn, intentId);
    await deps.handoff.understood(turn.context);
    const inGuide = steps.active(turn);
    const intent = deps.content.intents.intents.get(intentId)!;
    if (intent.startsGuide) {
      if (inGuide) {
        await a.say(turn, 'guideRunning');
        return steps.reprompt(turn);
      }
      await a.say(turn, 'guideStart');
      return steps.begin(turn);
    }
    if (!NOT_TOPICS.has(intentId)) turn.memory.topic = intentId;
    const text = deps.replies.text(intent.answer);
    if (intentId === 'restart') {
      if (inGuide) return steps.reprompt(turn);
      await turn.context.sendActivity(deps.replies.withButtons(text, deps.content.messages.welcome.buttons ?? []));
      return;
    }
    const sources = deps.replies.sourceTitles(intent.sources.map((source) => source.file));
    const source = (activity: Partial<Activity>) => (sources ? deps.replies.sourced(activity, sources) : activity);
    // An urgent problem (a lost phone, a suspected fraud) is offered a person at once, in the guide too.
    if (intent.offersPerson) {
      await turn.context.sendActivity(source(deps.replies.plain(text)));
      return a.offerPerson(turn, 'asked');
    }
    if (inGuide || !buttons) {
      await turn.context.sendActivity(source(deps.replies.plain(text)));
      return steps.reprompt(turn);
    }
    const guideButton = deps.content.messages.welcome.buttons?.[0];
    const followUps = intent.followUps.map((id) => deps.content.intents.intents.get(id)!.title);
    const offersGuide = intent.offerGuide && guideButton !== undefined;
    let titles = offersGuide ? [guideButton, ...followUps] : followUps;
    if (titles.length === 0) titles = deps.content.messages.welcome.buttons ?? [];
    await turn.ask(source(deps.replies.withButtons(text, titles.slice(0, 3))), { kind: 'offer', ...(offersGuide ? { yes: 0 } : {}) });
  }

  /** The questions a message asks, each answered (the first without its buttons when there are two). */
  async answerReading(turn: Turn): Promise<void> {
    const { decisions } = this.parts.reading.read(turn);
    const [first] = decisions;
    if (first?.kind === 'ambiguous') return this.didYouMean(turn, first.options);
    const intents = decisions.flatMap((d) => (d.kind === 'intent' ? [d.intent] : []));
    for (const [i, intent] of intents.entries()) {
      // The guide, a person or a restart take over the conversation: nothing is answered after them.
      const content = this.parts.deps.content.intents.intents.get(intent);
      const takesOver = content?.startsGuide || content?.offersPerson || INTENT_COMMANDS[intent] !== undefined || intent === 'restart';
      await this.answer(turn, intent, i === intents.length - 1 || takesOver);
      if (takesOver) return;
    }
  }

  /** A message too long to read whole: the question found in it, or a request to write less. */
  async tooLong(turn: Turn, maxChars: number): Promise<void> {
    const found = this.parts.deps.reader.findInLong(turn.text);
    const first = found?.decisions[0];
    if (found && first?.kind === 'intent') {
      turn.result = found.result;
      await this.parts.actions.say(turn, 'longMessage');
      return this.answer(turn, first.intent);
    }
    await this.parts.actions.say(turn, 'tooLong', { max: maxChars });
    this.keepPending(turn);
    return this.parts.steps.reprompt(turn);
  }

  async empty(turn: Turn): Promise<void> {
    const onlyAttachments = (turn.activity.attachments?.length ?? 0) > 0;
    await this.parts.actions.say(turn, onlyAttachments ? 'attachmentsOnly' : 'emptyMessage');
    this.keepPending(turn);
    return this.parts.steps.reprompt(turn);
  }

  async didYouMean(turn: Turn, options: readonly [IntentId, IntentId]): Promise<void> {
    const { content, replies } = this.parts.deps;
    const titles = options.map((id) => content.intents.intents.get(id)!.title);
    const noneLabel = content.phrases.commands.none_of_these[0]!;
    const none = noneLabel.charAt(0).toLocaleUpperCase('da-DK') + noneLabel.slice(1);
    const activity = replies.withButtons(replies.text(content.messages.didYouMean.text), [...titles, none]);
    await turn.ask(activity, {
      kind: 'didYouMean',
      options: [...options.map((intent, i) => ({ title: titles[i]!, action: { do: 'answer', intent } as const })), { title: none, action: { do: 'noneOfThese' } }],
      no: { do: 'noneOfThese' },
      question: maskPersonalData(turn.text),
    });
  }

  /** "Ingen af dem" to "Mente du …?": the question is counted as unanswered, and the bot says so. */
  async noneOfThese(turn: Turn): Promise<void> {
    const question = turn.previousOffer?.question;
    if (question) this.recordUnanswered(question, 'none_of_these');
    await this.parts.actions.say(turn, 'noneOfThese');
    return this.parts.steps.reprompt(turn);
  }

  /**
   * A follow-up about the topic just answered: what the sources say, or honestly that they say
   * nothing, with where to ask instead and a person offered (outside the guide).
   */
  async followUp(turn: Turn, followUp: FollowUp): Promise<void> {
    const { deps, steps } = this.parts;
    if (followUp.topic) this.remember(turn, followUp.topic);
    const inGuide = steps.active(turn);
    if (followUp.known) {
      await turn.context.sendActivity(deps.replies.plain(deps.replies.text(followUp.known)));
      return steps.reprompt(turn);
    }
    const { kinds, notInSources } = deps.content.followUps;
    const text = `${kinds[followUp.kind].unknown} ${notInSources.text}`;
    if (inGuide) {
      await turn.context.sendActivity(deps.replies.plain(text));
      return steps.reprompt(turn);
    }
    await turn.ask(deps.replies.withButtons(text, notInSources.buttons), { kind: 'offer', yes: 0 });
  }

  /** Nothing understood: inside the guide its question is asked again; outside, an honest line with the guide and a person. */
  async fallback(turn: Turn): Promise<void> {
    const { deps, steps, actions: a } = this.parts;
    if (steps.active(turn)) return steps.continue(turn);
    this.recordUnanswered(turn.text, 'none');
    this.remember(turn, NONE_INTENT);
    if (await deps.handoff.countFallback(turn.context)) return a.offerPerson(turn, 'fallbacks');
    await a.say(turn, 'fallback');
  }

  /** A message that answered nothing leaves the offer the bot made before it open. */
  private keepPending(turn: Turn): void {
    if (turn.previousOffer) turn.asked = turn.previousOffer;
  }

  private remember(turn: Turn, intent: string): void {
    const memory = turn.memory;
    memory.recentIntents = [...(memory.recentIntents ?? []), intent].slice(-RECENT_INTENTS);
  }

  // Counting a question must never cost the person their answer, nor make them wait for it:
  // the log stores counts in batches ({@link UnansweredLog.drain} on shutdown).
  private recordUnanswered(text: string, reason: UnansweredReason): void {
    this.parts.deps.unanswered.record(text, reason, this.parts.deps.clock.now()).catch(() => {
      // The log retries eTag conflicts itself; a count lost beyond that is acceptable.
    });
  }
}
