import { TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import {
  AuthenticationConstants,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  TokenCredentials,
  type AuthenticateRequestResult,
} from 'botframework-connector';

/**
 * The serviceUrl of activities from the built-in endpoint. Replies never go there (see
 * SelfConnectorFactory); it marks conversation references as ours, whatever port we run on
 * after a restart. `.invalid` is reserved, so it can never be a real channel's address.
 */
export const BUILT_IN_SERVICE_URL = 'http://directline.mitid-hjaelperen.invalid';

/** Who a Direct Line token belongs to: citizens get the MitID bot, agents their desk. */
export type DirectLineRole = 'user' | 'agent';

// The bot as Direct Line names it. The transport's account: an id, no display name (what people see of the bot is content, dialogs/labels.yaml).
export const BOT_ACCOUNT = { id: 'mitid-hjaelperen', name: 'mitid-hjaelperen', role: 'bot' } as const;

/**
 * Takes one reply of the bot, as the connector routes would have received it: the stored
 * activity's id, or `undefined` when the conversation or activity is not acceptable.
 */
export type ReplySink = (conversationId: string, reply: unknown, replyToId: string | undefined) => Promise<{ id: string } | undefined>;

/**
 * The two Connector calls botbuilder makes for replies, answered in this process. An HTTP
 * round trip to our own connector routes per reply cost a request through the Azure
 * pipeline, restify and JSON on both sides; the reply is stored exactly as those routes do.
 */
class InProcessConversations {
  constructor(private readonly sink: ReplySink) {}

  sendToConversation(conversationId: string, activity: Partial<Activity>): Promise<{ id: string }> {
    return this.deliver(conversationId, activity, undefined);
  }

  replyToActivity(conversationId: string, activityId: string, activity: Partial<Activity>): Promise<{ id: string }> {
    return this.deliver(conversationId, activity, activityId);
  }

  updateActivity(): Promise<never> {
    return Promise.reject(new Error('Direct Line: activities cannot be updated (405)'));
  }

  deleteActivity(): Promise<never> {
    return Promise.reject(new Error('Direct Line: activities cannot be deleted (405)'));
  }

  private async deliver(conversationId: string, activity: Partial<Activity>, replyToId: string | undefined): Promise<{ id: string }> {
    // Over HTTP the reply arrived as JSON (dates as strings, no undefined fields): keep it that way.
    const stored = await this.sink(conversationId, JSON.parse(JSON.stringify(activity)) as unknown, replyToId);
    if (!stored) throw new Error(`Direct Line: reply to conversation "${conversationId}" refused (400)`);
    return stored;
  }
}

/**
 * Where the bot's replies go: into the conversation store in-process once the connector
 * routes have registered a {@link ReplySink}, otherwise to our own connector routes over HTTP,
 * always at `selfUrl()` whatever `serviceUrl` the activity carries, so the internal secret
 * never leaves this server. The client is built once, not per turn.
 */
class SelfConnectorFactory extends ConnectorFactory {
  sink: ReplySink | undefined;
  private client: { url: string; client: ConnectorClient } | undefined;

  constructor(
    private readonly selfUrl: () => string,
    private readonly internalSecret: string,
  ) {
    super();
  }

  override create(): Promise<ConnectorClient> {
    if (this.sink) {
      // botbuilder only calls `conversations` on the client it gets for a turn's replies.
      const sink = this.sink;
      this.client = undefined;
      return Promise.resolve({ conversations: new InProcessConversations(sink) } as unknown as ConnectorClient);
    }
    const url = this.selfUrl();
    if (this.client?.url !== url) this.client = { url, client: new ConnectorClient(new TokenCredentials(this.internalSecret), { baseUri: url }) };
    return Promise.resolve(this.client.client);
  }
}

export interface TurnHandler {
  run(context: TurnContext): Promise<void>;
}

export interface BotBridgeDeps {
  adapter: CloudAdapter;
  /** The handler for each role; the role comes from the signed token, never from the activity. */
  bots: Record<DirectLineRole, TurnHandler>;
  selfUrl: () => string;
  internalSecret: string;
  /** config.MicrosoftAppId: the claims name our own app id, so botbuilder's credential factories accept it. */
  appId: string | undefined;
}

/**
 * Runs a turn in-process, as if the Direct Line channel had called /api/messages: the
 * request is ours, so there is nothing to authenticate and the result is built here.
 */
export class BotBridge {
  private readonly auth: AuthenticateRequestResult;
  private readonly connectorFactory: SelfConnectorFactory;

  constructor(private readonly deps: BotBridgeDeps) {
    const appId = deps.appId ?? '';
    this.connectorFactory = new SelfConnectorFactory(deps.selfUrl, deps.internalSecret);
    this.auth = {
      audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
      claimsIdentity: new ClaimsIdentity(
        [
          { type: AuthenticationConstants.AudienceClaim, value: appId },
          { type: AuthenticationConstants.AppIdClaim, value: appId },
        ],
        appId !== '',
      ),
      connectorFactory: this.connectorFactory,
    };
  }

  /** From now on, the bot's replies go straight to `sink` instead of over HTTP. */
  receiveRepliesWith(sink: ReplySink): void {
    this.connectorFactory.sink = sink;
  }

  /** Delivers `activity` to the role's bot; resolves when the turn (and the sending of its replies) is over. */
  async deliver(activity: Activity, role: DirectLineRole): Promise<void> {
    const bot = this.deps.bots[role];
    await this.deps.adapter.processActivityDirect(this.auth, activity, (context) => bot.run(context));
  }

  /** Runs `logic` in a turn of a built-in conversation outside its own turns (messages from an agent, say). */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'ContinueConversation' }, reference, true) as Activity;
    await this.deps.adapter.processActivityDirect(this.auth, activity, logic);
  }
}

/** The activity the bot receives, from what Direct Line stored (botbuilder's `Activity` lists fields the bot never needs). */
export function toBotActivity(stored: Record<string, unknown>, fields: { conversationId: string; userId: string; serviceUrl: string; timestamp: Date }): Activity {
  const { timestamp: _ignored, ...rest } = stored;
  const activity: Partial<Activity> = {
    ...rest,
    type: typeof stored.type === 'string' ? stored.type : 'message',
    channelId: 'directline',
    serviceUrl: fields.serviceUrl,
    timestamp: fields.timestamp,
    conversation: { id: fields.conversationId, isGroup: false, conversationType: 'personal', name: '' },
    recipient: { ...BOT_ACCOUNT },
  };
  return activity as Activity;
}
