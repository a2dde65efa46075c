import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { createAdapter, type BotAdapter } from '../framework/adapter';
import { createBotOnStorage, type MitIdBot } from '../bot/mitid-bot';
import { createHandoff, type Handoff } from '../handoff';
import { AdapterMessenger } from '../handoff/messenger';
import { caseChannel, personalChatOpener } from '../teams';
import { TeamsDesk } from '../teams/teams-desk';
import { BotMetrics } from '../ops/metrics';
import { TurnObserver } from '../ops/turn-log';
import type { DirectLineEndpoint } from '../directline';
import type { AppDeps } from '../app';

/** The bot and what its turns need, before any route exists. */
export interface BotSetup extends Handoff {
  adapter: BotAdapter;
  bot: MitIdBot;
  metrics: BotMetrics;
  /** Hands over the Direct Line endpoint once it is registered: agents' messages to the widget go through it. */
  useDirectLine(endpoint: DirectLineEndpoint): void;
}

/** The adapter with the Bot Framework credentials from the config (and the tests' overrides). */
function adapterFor({ config, logger, authOverrides }: AppDeps): BotAdapter {
  const authConfig: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
    ...authOverrides,
  };
  if (!config.MicrosoftAppId) {
    logger.warn('MicrosoftAppId er tom: botten tager imod uautentificerede kald (kun til lokal brug) / MicrosoftAppId is empty: accepting unauthenticated requests (local use only)');
  }
  return createAdapter(authConfig);
}

/** Builds the adapter, the hand-over, the Teams desk if agents work in Teams, the bot and its metrics. */
export function setUpBot(deps: AppDeps): BotSetup {
  const { config, content, storage, clock, logger, recognizer } = deps;
  const adapter = adapterFor(deps);
  // Agents' messages reach citizens outside the citizens' turns: through the built-in Direct
  // Line endpoint for the widget (registered later), through the adapter for any other channel.
  let directLine: DirectLineEndpoint | undefined;
  const messenger = new AdapterMessenger(adapter, config.MicrosoftAppId, (reference, logic) => {
    if (!directLine) throw new Error('the Direct Line endpoint is not set up yet');
    return directLine.continueConversation(reference, logic);
  });
  const channel = caseChannel({ config, adapter, storage, service: () => handoff });
  const { service: handoff, store, presence } = createHandoff({ storage, content, clock, logger, messenger, hub: config.AGENT_HUB, waitSeconds: config.HANDOFF_WAIT_SECONDS, maxChats: config.AGENT_MAX_CHATS, historyDays: config.HANDOFF_HISTORY_DAYS, ...(channel ? { announce: channel.announce, changed: channel.changed } : {}) });
  const teams = config.TEAMS_AGENTS.length > 0 ? new TeamsDesk(handoff, config.TEAMS_AGENTS, personalChatOpener(adapter, config.MicrosoftAppId), channel?.changed) : undefined;
  const bot = createBotOnStorage({ content, clock, storage, recognizer, maxMessageChars: config.MAX_MESSAGE_CHARS, handoff, handoffProtocol: config.HANDOFF_PROTOCOL, ...(teams ? { teams } : {}) });
  const metrics = new BotMetrics(handoff, logger);
  adapter.use(new TurnObserver({ logger, recognizer, metrics, isFallback: (reply) => reply.text === bot.replies.message('fallback').text }));

  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, conversation: context.activity.conversation?.id }, 'turn failed');
    // State is saved only when a turn completes, so the conversation stays at its last good turn.
    try {
      await context.sendActivity(bot.replies.message('turnError'));
    } catch (sendError) {
      logger.error({ err: sendError }, 'could not send the error message');
    }
  };
  return { adapter, bot, metrics, service: handoff, store, presence, useDirectLine: (endpoint) => (directLine = endpoint) };
}
