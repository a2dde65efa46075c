import { TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import type { Config } from '../config';
import type { HandoffCase } from '../handoff/case';
import type { HandoffService } from '../handoff/handoff-service';
import type { Messenger } from '../handoff/messenger';
import { caseCard } from './cards';
import type { OpenPersonalChat } from './teams-desk';

/** Opens the bot's personal chat with the Teams user of `context` (Bot Connector createConversation). */
export function personalChatOpener(adapter: CloudAdapter, appId: string | undefined): OpenPersonalChat {
  return async (context) => {
    const { activity } = context;
    const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    let reference: Partial<ConversationReference> | undefined;
    await adapter.createConversationAsync(
      appId ?? '',
      'msteams',
      activity.serviceUrl,
      AuthenticationConstants.ToChannelFromBotOAuthScope,
      {
        isGroup: false,
        bot: activity.recipient,
        members: [{ id: activity.from.id, name: activity.from.name }],
        tenantId: tenantId ?? '',
        channelData: tenantId ? { tenant: { id: tenantId } } : undefined,
        activity: undefined as never,
      },
      async (created) => {
        reference = TurnContext.getConversationReference(created.activity);
      },
    );
    if (!reference) throw new Error('Teams did not open a personal chat');
    return reference;
  };
}

/**
 * Posts each new case into the support desk's Teams channel (TEAMS_AGENT_CHANNEL_ID) as a
 * card with "Overtag"; undefined when no channel is configured.
 */
export function caseAnnouncer(config: Config, messenger: Messenger, service: () => HandoffService): ((record: HandoffCase) => Promise<void>) | undefined {
  const channelId = config.TEAMS_AGENT_CHANNEL_ID;
  if (!channelId) return undefined;
  return async (record) => {
    const handoff = service();
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: config.TEAMS_SERVICE_URL,
      conversation: { id: channelId, isGroup: true, conversationType: 'channel', name: '', ...(config.TEAMS_TENANT_ID ? { tenantId: config.TEAMS_TENANT_ID } : {}) },
      bot: { id: config.MicrosoftAppId ? `28:${config.MicrosoftAppId}` : 'mitid-hjaelperen', name: handoff.content.labels.botName },
    };
    const shown = handoff.forAgents(record);
    const lastLine = handoff.lastQuestion(record);
    const { agent, labels } = handoff.content.handoff;
    const texts = { title: handoff.agentLine('caseCard', { caseId: record.id }), take: agent.caseCard.buttons?.[0] ?? '', labels: labels.card };
    const card = caseCard({ id: record.id, reason: shown.reason, waitingSince: record.waitingSince, guidePath: record.guidePath, topics: shown.recentIntents, channel: record.channelId, ...(lastLine ? { lastLine } : {}) }, texts);
    await messenger.send(reference, [{ type: 'message', attachments: [card] }]);
  };
}
