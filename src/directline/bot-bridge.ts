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

/** The bot as Direct Line shows it. */
export const BOT_ACCOUNT = { id: 'mitid-hjaelperen', name: 'MitID-hjælperen', role: 'bot' } as const;

/**
 * Sends the bot's replies to our own connector routes, always at `selfUrl()` whatever
 * `serviceUrl` the activity carries, so the internal secret never leaves this server.
 */
class SelfConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly selfUrl: () => string,
    private readonly internalSecret: string,
  ) {
    super();
  }

  override create(): Promise<ConnectorClient> {
    return Promise.resolve(new ConnectorClient(new TokenCredentials(this.internalSecret), { baseUri: this.selfUrl() }));
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

  constructor(private readonly deps: BotBridgeDeps) {
    const appId = deps.appId ?? '';
    this.auth = {
      audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
      claimsIdentity: new ClaimsIdentity(
        [
          { type: AuthenticationConstants.AudienceClaim, value: appId },
          { type: AuthenticationConstants.AppIdClaim, value: appId },
        ],
        appId !== '',
      ),
      connectorFactory: new SelfConnectorFactory(deps.selfUrl, deps.internalSecret),
    };
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
