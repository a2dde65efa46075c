import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { BUILT_IN_SERVICE_URL } from '../directline/bot-bridge';

/** Sends messages into a conversation outside its own turns (agent ↔ citizen, timeouts). */
export interface Messenger {
  send(reference: Partial<ConversationReference>, activities: Array<Partial<Activity>>): Promise<void>;
}

type Continue = (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) => Promise<void>;

/**
 * Conversations on our built-in Direct Line endpoint are continued through its bridge
 * (replies stay inside this server); any other channel through the adapter's proactive
 * path, which signs the call with the bot's own credentials.
 */
export class AdapterMessenger implements Messenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string | undefined,
    private readonly builtIn: Continue,
  ) {}

  async send(reference: Partial<ConversationReference>, activities: Array<Partial<Activity>>): Promise<void> {
    const logic = async (context: TurnContext): Promise<void> => {
      await context.sendActivities(activities);
    };
    if (reference.serviceUrl === BUILT_IN_SERVICE_URL) return this.builtIn(reference, logic);
    await this.adapter.continueConversationAsync(this.appId ?? '', reference, logic);
  }
}
