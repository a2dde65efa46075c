import type { Attachment, CloudAdapter, ConversationReference, Storage, TurnContext } from 'botbuilder';
import type { Config } from '../config';
import type { HandoffCase } from '../handoff/case';
import type { HandoffService } from '../handoff/handoff-service';
import { caseCardOf } from './case-card-view';
import { CasePosts, type CasePost } from './case-posts';

/** After these a case's card is final, and where it was posted need not be kept. */
const OVER: ReadonlySet<HandoffCase['status']> = new Set(['returned', 'closed', 'cancelled', 'failed']);

export interface CaseChannelDeps {
  config: Config;
  adapter: CloudAdapter;
  storage: Storage;
  /** The hand-over is built after this (it is given `announce` and `changed`), hence a getter. */
  service: () => HandoffService;
}

/**
 * The support desk's Teams channel (TEAMS_AGENT_CHANNEL_ID): each new case is posted there as a
 * card with "Overtag", and the same card is changed in place (updateActivity) whenever the case
 * is taken, transferred, handed back or closed, so nobody presses "Overtag" on a case that is gone.
 */
export class CaseChannel {
  private readonly posts: CasePosts;

  constructor(
    private readonly deps: CaseChannelDeps,
    private readonly channelId: string,
  ) {
    this.posts = new CasePosts(deps.storage);
  }

  /** HandoffService's `announce`: posts the new case and remembers where. */
  readonly announce = async (record: HandoffCase): Promise<void> => {
    const card = caseCardOf(record, this.deps.service());
    let activityId: string | undefined;
    await this.continueInChannel(async (context) => {
      activityId = (await context.sendActivity({ type: 'message', attachments: [card] }))?.id;
    });
    if (activityId) await this.posts.remember(record.id, { conversationId: this.channelId, activityId });
  };

  /** HandoffService's `changed`: the case's card now shows what became of it. */
  readonly changed = async (record: HandoffCase): Promise<void> => {
    const post = await this.posts.find(record.id);
    if (!post) return;
    await this.replace(post, caseCardOf(record, this.deps.service()));
    if (OVER.has(record.status)) await this.posts.forget(record.id);
  };

  private async replace(post: CasePost, card: Attachment): Promise<void> {
    await this.continueInChannel(async (context) => {
      await context.updateActivity({ type: 'message', id: post.activityId, attachments: [card] });
    }, post.conversationId);
  }

  private async continueInChannel(logic: (context: TurnContext) => Promise<void>, conversationId = this.channelId): Promise<void> {
    const { config } = this.deps;
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: config.TEAMS_SERVICE_URL,
      conversation: { id: conversationId, isGroup: true, conversationType: 'channel', name: '', ...(config.TEAMS_TENANT_ID ? { tenantId: config.TEAMS_TENANT_ID } : {}) },
      bot: { id: config.MicrosoftAppId ? `28:${config.MicrosoftAppId}` : 'mitid-hjaelperen', name: this.deps.service().content.labels.botName },
    };
    await this.deps.adapter.continueConversationAsync(config.MicrosoftAppId ?? '', reference, logic);
  }
}

/** The support desk's channel, or undefined when no TEAMS_AGENT_CHANNEL_ID is set. */
export function caseChannel(deps: CaseChannelDeps): CaseChannel | undefined {
  const channelId = deps.config.TEAMS_AGENT_CHANNEL_ID;
  return channelId ? new CaseChannel(deps, channelId) : undefined;
}
