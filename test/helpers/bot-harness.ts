import { randomUUID } from 'node:crypto';
import { ActivityTypes, MemoryStorage, TestAdapter, type Activity, type ConversationReference, type Storage } from 'botbuilder';
import { createBotOnStorage, type MitIdBot } from '../../src/bot/mitid-bot';
import { TURN_DECISION_KEY } from '../../src/bot/turn-router';

/** What the router leaves in turn state about a message turn. */
export interface TurnDecision {
  text: string;
  route: string;
  intents: Record<string, { score?: number }>;
  bound?: string;
  waitingFor?: string;
}
import { fixedClock, type Clock } from '../../src/clock';
import { loadContent, type Content } from '../../src/content/load-content';
import { createHandoff, type Handoff } from '../../src/handoff';
import type { Messenger } from '../../src/handoff/messenger';
import { createLogger } from '../../src/logger';
import { IntentRecognizer } from '../../src/nlu/recognizer';
import { UnansweredLog } from '../../src/nlu/unanswered-log';
import type { TeamsDesk } from '../../src/teams/teams-desk';

/** Content is read once for all tests in a file; it is never changed by a test. */
export const content: Content = loadContent();
/** Trained once per test file, as the server does at start-up. */
export const recognizer = new IntentRecognizer(content.intents, content.classifier);

/** The days the tests pin: twice before 31 Oct 2022, between that and 30 June 2023, and today's. */
export const PINNED_DAYS = { before: '2021-06-01', midway: '2022-06-01', between: '2022-12-01', after: '2026-11-21' } as const;

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

/** A messenger that keeps what would be sent outside a turn, per conversation id. */
export class RecordingMessenger implements Messenger {
  readonly sent: Array<{ conversationId: string; activity: Partial<Activity> }> = [];

  async send(reference: Partial<ConversationReference>, activities: Array<Partial<Activity>>): Promise<void> {
    for (const activity of activities) this.sent.push({ conversationId: reference.conversation?.id ?? '', activity });
  }

  /** Replies sent to `conversationId` since the last call. */
  take(conversationId: string): Reply[] {
    const mine = this.sent.filter((s) => s.conversationId === conversationId);
    this.sent.splice(0, this.sent.length, ...this.sent.filter((s) => s.conversationId !== conversationId));
    return mine.map((s) => toReply(s.activity));
  }
}

/** The hand-over on `storage` with a recording messenger, as the bot harness uses it. */
export function testHandoff(storage: Storage, clock: Clock, options: { hub?: 'builtin' | 'external'; waitSeconds?: number; maxChats?: number } = {}): Handoff & { messenger: RecordingMessenger } {
  const messenger = new RecordingMessenger();
  return { ...createHandoff({ storage, content, clock, logger: createLogger('silent'), messenger, ...options }), messenger };
}

/** The bot on `storage` as src/app/bot-setup.ts builds it, for tests that need their own (other content, a Teams desk). */
export function testBot(storage: Storage, options: { content?: Content; clock?: Clock; handoff?: Handoff; teams?: TeamsDesk } = {}): MitIdBot {
  const clock = options.clock ?? fixedClock(`${PINNED_DAYS.after}T12:00:00+01:00`);
  return createBotOnStorage({
    content: options.content ?? content,
    clock,
    storage,
    recognizer,
    maxMessageChars: 2000,
    handoff: (options.handoff ?? testHandoff(storage, clock)).service,
    handoffProtocol: 'botframework',
    ...(options.teams ? { teams: options.teams } : {}),
  });
}

/**
 * One person talking to the bot in memory: `say` sends a message and returns what the
 * bot answered in that turn. Uses the real bot, content and dialogs.
 */
export class Conversation {
  readonly bot: MitIdBot;
  /** The questions the bot could not answer, as stored. */
  readonly unanswered: Pick<UnansweredLog, 'list'>;
  /** Cases and the queue; `handoff.messenger` holds what agents and timeouts sent. */
  readonly handoff: Handoff & { messenger: RecordingMessenger };
  private readonly adapter: TestAdapter;
  private readonly idPrefix = randomUUID();
  private sent = 0;

  constructor(
    options: {
      day?: string;
      clock?: Clock;
      storage?: Storage;
      conversationId?: string;
      bot?: MitIdBot;
      maxMessageChars?: number;
      handoff?: Handoff & { messenger: RecordingMessenger };
      handoffProtocol?: 'botframework' | 'omnichannel';
      channelId?: string;
    } = {},
  ) {
    const storage = options.storage ?? new MemoryStorage();
    const clock = options.clock ?? fixedClock(`${options.day ?? PINNED_DAYS.after}T12:00:00+01:00`);
    // The bot writes its counts in batches; what this reads is stored once the bot has drained.
    const stored = new UnansweredLog(storage);
    this.unanswered = { list: async () => (await this.bot.drain(), stored.list()) };
    this.handoff = options.handoff ?? testHandoff(storage, clock);
    // Built as src/app/bot-setup.ts builds it (the eTag-guarded conversation state included).
    this.bot =
      options.bot ??
      createBotOnStorage({
        content,
        clock,
        storage,
        recognizer,
        maxMessageChars: options.maxMessageChars ?? 2000,
        handoff: this.handoff.service,
        handoffProtocol: options.handoffProtocol ?? 'botframework',
      });
    this.adapter = new TestAdapter(
      { channelId: options.channelId ?? 'test', serviceUrl: 'https://test.invalid', conversation: { id: options.conversationId ?? 'conv-1', isGroup: false, conversationType: 'personal', name: '' }, user: { id: 'user-1', name: 'Borger' }, bot: { id: 'bot', name: 'MitID-hjælperen' } },
      undefined,
      true,
    );
  }

  /** Sends a message (or any partial activity) and returns the bot's replies to it. */
  async say(input: string | Partial<Activity>): Promise<Reply[]> {
    const given = typeof input === 'string' ? { type: ActivityTypes.Message, text: input } : input;
    // Ids as channels give them, unique: TestAdapter counts from 0 in every instance, and two
    // instances on one storage would otherwise send the same id twice (taken for a resend).
    const activity = { id: `${this.idPrefix}-${this.sent++}`, ...given };
    this.lastDecision = undefined;
    await this.adapter.processActivity(activity, async (context) => {
      await this.bot.run(context);
      this.lastDecision = context.turnState.get(TURN_DECISION_KEY) as TurnDecision | undefined;
    });
    return this.drain().filter((a) => a.type === ActivityTypes.Message).map(toReply);
  }

  /** How the turn router decided the last message (the value of its IntentRecognizer trace). */
  lastDecision: TurnDecision | undefined;

  /** Every activity the bot sent in the last turn, events included (e.g. handoff.initiate). */
  lastActivities: Array<Partial<Activity>> = [];

  private drain(): Array<Partial<Activity>> {
    const sent: Array<Partial<Activity>> = [];
    while (this.adapter.activeQueue.length > 0) sent.push(this.adapter.activeQueue.shift()!);
    this.lastActivities = sent;
    return sent;
  }

  /** The user opens the chat: a conversationUpdate that adds the user. */
  join(): Promise<Reply[]> {
    return this.say({ type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'user-1', name: 'Borger' }] });
  }
}
