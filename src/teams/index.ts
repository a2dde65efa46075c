import { TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import type { OpenPersonalChat } from './teams-desk';

export { caseChannel, type CaseChannel } from './case-channel';

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
