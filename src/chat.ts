/**
 * `npm run chat`: the same bot in a terminal. Buttons are shown as numbered choices;
 * type the number or your own words. Ctrl+D or "/quit" ends.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { createBotOnStorage } from './bot/mitid-bot';
import { createHandoff } from './handoff';
import { createLogger } from './logger';
import { startUp } from './startup';

/** Prints the bot's messages; remembers the last buttons so a number picks one. */
class TerminalAdapter extends BotAdapter {
  buttons: string[] = [];

  constructor(
    private readonly write: (line: string) => void,
    private readonly botName: string,
  ) {
    super();
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    for (const activity of activities) {
      if (activity.type !== ActivityTypes.Message) continue;
      this.write(`\n${this.botName}: ${(activity.text ?? '').replace(/\*\*/g, '')}`);
      const titles = (activity.suggestedActions?.actions ?? []).map((a) => a.title ?? String(a.value));
      if (titles.length > 0) {
        this.buttons = titles;
        this.write(titles.map((title, i) => `  ${i + 1}) ${title}`).join('\n'));
      }
    }
    return activities.map(() => ({ id: randomUUID() }));
  }

  async updateActivity(): Promise<void> {
    throw new Error('not supported in the terminal');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('not supported in the terminal');
  }

  async continueConversation(_reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    void logic;
    throw new Error('not supported in the terminal');
  }

  process(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    return this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

async function main(): Promise<void> {
  const { config, content, clock, storage, recognizer } = await startUp();
  const adapter = new TerminalAdapter((line) => process.stdout.write(`${line}\n`), content.labels.botName);
  // The terminal is one conversation, so messages from outside a turn (a timeout) are simply printed.
  const messenger = { send: async (_to: unknown, activities: Array<Partial<Activity>>) => void (await adapter.sendActivities(new TurnContext(adapter, {}), activities)) };
  const { service } = createHandoff({ storage, content, clock, logger: createLogger('silent'), messenger, hub: config.AGENT_HUB, waitSeconds: config.HANDOFF_WAIT_SECONDS, maxChats: config.AGENT_MAX_CHATS, historyDays: config.HANDOFF_HISTORY_DAYS });
  const bot = createBotOnStorage({ content, clock, storage, recognizer, maxMessageChars: config.MAX_MESSAGE_CHARS, handoff: service, handoffProtocol: config.HANDOFF_PROTOCOL });
  const user = { id: 'terminal-user', name: content.labels.you };
  const botAccount = { id: 'mitid-hjaelperen', name: content.labels.botName };
  const base = {
    channelId: 'terminal',
    serviceUrl: 'terminal://',
    conversation: { id: `terminal-${randomUUID()}`, isGroup: false, conversationType: 'personal', name: 'terminal' },
    from: user,
    recipient: botAccount,
    locale: 'da-DK',
  };

  await adapter.process({ ...base, type: ActivityTypes.ConversationUpdate, membersAdded: [user] }, (c) => bot.run(c));
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  rl.setPrompt(`\n${content.labels.you}: `);
  rl.prompt();
  for await (const line of rl) {
    const typed = line.trim();
    if (typed === '/quit') break;
    const choice = /^\d+$/.test(typed) ? adapter.buttons[Number(typed) - 1] : undefined;
    await adapter.process({ ...base, type: ActivityTypes.Message, id: randomUUID(), text: choice ?? typed }, (c) => bot.run(c));
    rl.prompt();
  }
  rl.close();
  await bot.drain();
  await storage.flush();
}

void main();
