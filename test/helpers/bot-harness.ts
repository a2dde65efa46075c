import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, UserState, type Activity, type Storage } from 'botbuilder';
import { MitIdBot } from '../../src/bot/mitid-bot';
import { fixedClock } from '../../src/clock';
import { loadContent, type Content } from '../../src/content/load-content';
import { IntentRecognizer } from '../../src/nlu/recognizer';
import { UnansweredLog } from '../../src/nlu/unanswered-log';

/** Content is read once for all tests in a file; it is never changed by a test. */
export const content: Content = loadContent();
/** Trained once per test file, as the server does at start-up. */
export const recognizer = new IntentRecognizer(content.intents, content.classifier);

/** The days the tests pin: before 31 Oct 2022, between that and 30 June 2023, and today's. */
export const PINNED_DAYS = { before: '2021-06-01', between: '2022-12-01', after: '2026-11-21' } as const;

export interface Reply {
  text: string;
  buttons: string[];
}

export function toReply(activity: Partial<Activity>): Reply {
  return {
    text: activity.text ?? '',
    buttons: (activity.suggestedActions?.actions ?? []).map((a) => String(a.title)),
  };
}

/**
 * One person talking to the bot in memory: `say` sends a message and returns what the
 * bot answered in that turn. Uses the real bot, content and dialogs.
 */
export class Conversation {
  readonly bot: MitIdBot;
  readonly unanswered: UnansweredLog;
  private readonly adapter: TestAdapter;

  constructor(options: { day?: string; storage?: Storage; conversationId?: string; bot?: MitIdBot; maxMessageChars?: number } = {}) {
    const storage = options.storage ?? new MemoryStorage();
    this.unanswered = new UnansweredLog(storage);
    this.bot =
      options.bot ??
      new MitIdBot({
        content,
        clock: fixedClock(`${options.day ?? PINNED_DAYS.after}T12:00:00+01:00`),
        conversationState: new ConversationState(storage),
        userState: new UserState(storage),
        recognizer,
        unanswered: this.unanswered,
        maxMessageChars: options.maxMessageChars ?? 2000,
      });
    this.adapter = new TestAdapter(
      { channelId: 'test', serviceUrl: 'https://test.invalid', conversation: { id: options.conversationId ?? 'conv-1', isGroup: false, conversationType: 'personal', name: '' }, user: { id: 'user-1', name: 'Borger' }, bot: { id: 'bot', name: 'MitID-hjælperen' } },
    );
  }

  /** Sends a message (or any partial activity) and returns the bot's replies to it. */
  async say(input: string | Partial<Activity>): Promise<Reply[]> {
    const activity = typeof input === 'string' ? { type: ActivityTypes.Message, text: input } : input;
    await this.adapter.processActivity(activity, (context) => this.bot.run(context));
    const replies: Reply[] = [];
    while (this.adapter.activeQueue.length > 0) {
      const next = this.adapter.activeQueue.shift()!;
      if (next.type === ActivityTypes.Message) replies.push(toReply(next));
    }
    return replies;
  }

  /** The user opens the chat: a conversationUpdate that adds the user. */
  join(): Promise<Reply[]> {
    return this.say({ type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'user-1', name: 'Borger' }] });
  }
}
