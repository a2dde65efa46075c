import type { Storage } from 'botbuilder';
import { readModifyWrite, readRecord } from '../storage/stored-records';

/** Where a case's card went in the support desk's Teams channel: what updateActivity needs to change it in place. */
export interface CasePost {
  conversationId: string;
  activityId: string;
}

const keyOf = (caseId: string): string => `teams/case-card/${caseId}`;

/**
 * The channel card of each case, one small record per case id in the bot's storage, so that any
 * instance that sees the case change (take, transfer, close) can update the card it did not post.
 */
export class CasePosts {
  constructor(private readonly storage: Storage) {}

  async remember(caseId: string, post: CasePost): Promise<void> {
    await readModifyWrite<CasePost>(this.storage, keyOf(caseId), () => ({ conversationId: post.conversationId, activityId: post.activityId }));
  }

  async find(caseId: string): Promise<CasePost | undefined> {
    const found = (await readRecord<CasePost>(this.storage, keyOf(caseId)))?.value;
    return found && typeof found.activityId === 'string' && typeof found.conversationId === 'string' ? found : undefined;
  }

  /** Once a case is over its card never changes again. */
  async forget(caseId: string): Promise<void> {
    await this.storage.delete([keyOf(caseId)]);
  }
}
