import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult } from 'botbuilder-dialogs';
import { DialogTurnStatus } from '../framework/dialog-classes';
import type { Content } from '../content/load-content';
import type { IntentId } from '../content/intents-content';
import { GUIDE_DIALOG_ID, type GuideDialog, type GuideStart, type PathEntry } from '../dialogs/guide-dialog';
import type { CitizenHandoff } from '../handoff/citizen-handoff';
import type { GuideProgress } from './repair';
import type { Turn } from './turn';

// The last guide box said in a turn with a topic, in turn state until the turn is finished.
const LAST_BOX = Symbol('mitid.lastBox');

/**
 * The guide within a turn: whether it is open, where it is (or was left), beginning it, taking
 * an answer, asking again, and the guide left when it ends (for a hand-over and for corrections).
 */
export class GuideSteps {
  /** The FAQ topic of each guide box that has one. */
  private readonly boxTopics: ReadonlyMap<string, IntentId>;

  constructor(
    content: Content,
    private readonly guide: GuideDialog,
    private readonly handoff: CitizenHandoff,
  ) {
    this.boxTopics = new Map(Object.entries(content.guide.nodes).flatMap(([id, node]) => (node.kind !== 'question' && node.topic ? [[id, node.topic as IntentId] as const] : [])));
  }

  active(turn: Turn): boolean {
    return turn.dc.activeDialog?.id === GUIDE_DIALOG_ID;
  }

  /** The guide open now, or the one left (stopped or finished), for going on and for corrections. */
  progress(turn: Turn): GuideProgress | undefined {
    const active = turn.dc.activeDialog;
    if (active?.id === GUIDE_DIALOG_ID) return this.guide.progress(active);
    const left = turn.memory.guideLeft;
    return left ? { path: left.path, ...(left.at !== undefined ? { current: left.at } : {}) } : undefined;
  }

  outdated(turn: Turn): boolean {
    const active = turn.dc.activeDialog;
    return active?.id === GUIDE_DIALOG_ID && !this.guide.isCurrent(active);
  }

  /** Begins the guide (at its start, or where `start` says) and keeps it when it ends in this turn. */
  async begin(turn: Turn, start?: GuideStart): Promise<void> {
    if (this.active(turn)) await turn.dc.cancelAllDialogs();
    delete turn.memory.guideLeft;
    await this.afterGuide(turn, await turn.dc.beginDialog(GUIDE_DIALOG_ID, start));
  }

  async continue(turn: Turn): Promise<void> {
    await this.afterGuide(turn, await turn.dc.continueDialog());
  }

  /** Asks the open guide question again (after a side question, a refusal, an empty message). */
  async reprompt(turn: Turn): Promise<void> {
    if (this.active(turn)) await turn.dc.repromptDialog();
  }

  /** Stops the open guide, kept as left where it was so that "fortsæt" can go on there. */
  async stop(turn: Turn): Promise<void> {
    const { path, current } = this.guide.progress(turn.dc.activeDialog!);
    await turn.dc.cancelAllDialogs();
    turn.memory.guideLeft = { path, ...(current !== undefined ? { at: current } : {}) };
  }

  /** A guide that ended in this turn is kept, for a hand-over and for corrections after its end. */
  private async afterGuide(turn: Turn, result: DialogTurnResult): Promise<void> {
    if (result.status !== DialogTurnStatus.complete) return;
    const path = (result.result as PathEntry[] | undefined) ?? [];
    turn.memory.guideLeft = { path };
    await this.handoff.guideEnded(turn.context, path);
  }

  /**
   * Notes the guide box just said, whose topic a follow-up question is then about ("hvor lang
   * tid tager det?" after the kodeviser box); {@link topicSaid} reads it when the turn finishes.
   */
  boxSaid(context: TurnContext, nodeId: string): void {
    if (this.boxTopics.has(nodeId)) context.turnState.set(LAST_BOX, nodeId);
  }

  /** The topic of the last guide box said in this turn, if it had one. */
  topicSaid(turn: Turn): IntentId | undefined {
    const box = turn.context.turnState.get(LAST_BOX) as string | undefined;
    return box !== undefined ? this.boxTopics.get(box) : undefined;
  }
}
