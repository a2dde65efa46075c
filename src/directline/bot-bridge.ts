import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import {
  AuthenticationConstants,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  TokenCredentials,
  type AuthenticateRequestResult,
} from 'botframework-connector';

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

export interface BotBridgeDeps {
  adapter: CloudAdapter;
  bot: { run(context: TurnContext): Promise<void> };
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

  /** Delivers `activity` to the bot; resolves when the turn (and the sending of its replies) is over. */
  async deliver(activity: Activity): Promise<void> {
    await this.deps.adapter.processActivityDirect(this.auth, activity, (context) => this.deps.bot.run(context));
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
