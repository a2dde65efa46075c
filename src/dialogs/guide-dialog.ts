import type { TurnContext } from 'botbuilder';
import type { DialogContext, DialogInstance, DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { ComponentDialog, WaterfallDialog } from '../framework/dialog-classes';
import type { Replies } from './replies';
import { pickDated } from '../content/dated';
import type { Content } from '../content/load-content';
import { answerTarget, commonTarget, type GuideNode, type QuestionNode } from '../content/guide-content';
import { danishToday, type Clock } from '../clock';
import { AnswerPrompt } from './answer-prompt';

export const GUIDE_DIALOG_ID = 'guide';
const ANSWER_PROMPT_ID = 'guide.answer';

/** One box passed in the guide: a question with the answer given (or skipped that day), or a box that was shown. */
export interface PathEntry {
  node: string;
  answer?: string;
  /** The question had nothing to decide on the day it was reached (every answer led to one box). */
  skipped?: true;
}

interface QuestionOptions {
  node: string;
  path: PathEntry[];
}

/**
 * Where the guide begins: at its start, or (to go on after a stop, go back, or correct an
 * answer) at question `at` with the `path` before it, optionally answering it with `answer` at once.
 */
export interface GuideStart {
  at?: string;
  path?: PathEntry[];
  answer?: string;
}

/** Told when the guide says a box, so the bot knows what a follow-up question is about. */
export type BoxListener = (context: TurnContext, nodeId: string) => void;

/** Dialog id of the waterfall that asks one question box. */
export function questionDialogId(nodeId: string): string {
  return `guide.${nodeId}`;
}

/**
 * The guide "Sådan får du MitID" as dialogs: one two-step waterfall per question box
 * (ask, then follow the answer's arrow). Steps and outcomes between questions are said
 * on the way to the next question, so each waterfall mirrors one box of the chart and the
 * chart itself stays in dialogs/guide.yaml.
 */
export class GuideDialog extends ComponentDialog {
  constructor(
    private readonly content: Content,
    private readonly replies: Replies,
    private readonly clock: Clock,
    private readonly onBox: BoxListener = () => {},
  ) {
    super(GUIDE_DIALOG_ID);
    this.addDialog(new AnswerPrompt(ANSWER_PROMPT_ID, content.phrases));
    for (const [id, node] of Object.entries(content.guide.nodes)) {
      if (node.kind !== 'question') continue;
      this.addDialog(new WaterfallDialog(questionDialogId(id), [this.askStep.bind(this), this.followAnswerStep.bind(this)]));
    }
  }

  /** The content hash: a conversation begun on other content is restarted by the bot. */
  protected override getInternalVersion(): string {
    return this.content.guideVersion;
  }

  /** True when `instance` (the guide on a dialog stack) was begun on the current content. */
  isCurrent(instance: DialogInstance): boolean {
    return instance.version === undefined || instance.version === this.getInternalVersion();
  }

  /** The boxes passed so far in a guide on a dialog stack, and the question now being asked. */
  progress(instance: DialogInstance): { path: PathEntry[]; current?: string } {
    const inner = (instance.state as { dialogs?: { dialogStack?: DialogInstance[] } }).dialogs?.dialogStack ?? [];
    const question = inner.find((d) => d.id.startsWith('guide.') && d.id !== ANSWER_PROMPT_ID);
    const options = (question?.state as { options?: QuestionOptions } | undefined)?.options;
    return { path: options?.path ?? [], current: options?.node };
  }

  /** The path so far of the guide when it is `dc`'s active dialog, in words; undefined otherwise. */
  describeActive(dc: DialogContext): string[] | undefined {
    if (dc.activeDialog?.id !== GUIDE_DIALOG_ID) return undefined;
    const { path, current } = this.progress(dc.activeDialog);
    return this.describe(path, current);
  }

  /**
   * A path as a support agent reads it: questions with the answer given ("Q1 Ja"), outcomes
   * by their label ("Borgerservice"), headings left out; the question being asked when the
   * person left is marked as such (dialogs/labels.yaml `unanswered`).
   */
  describe(path: readonly PathEntry[], current?: string): string[] {
    const unanswered = this.content.labels.unanswered;
    const described = path.flatMap((entry) => {
      const node = this.content.guide.nodes[entry.node];
      if (!node || node.kind === 'step' || entry.skipped) return [];
      if (node.kind === 'question') return [`${entry.node} ${entry.answer ? (this.content.phrases.answers[entry.answer]?.label ?? entry.answer) : unanswered}`];
      return [node.label];
    });
    return current ? [...described, `${current} ${unanswered}`] : described;
  }

  /**
   * The personal plan at the end: the `plan` step of every box reached, in order, each in the
   * variant that fits the answers given ("tag dit pas med" only for someone who has one).
   */
  plan(path: readonly PathEntry[]): string[] {
    const answers = new Map(path.filter((e) => e.answer).map((e) => [e.node, e.answer]));
    return path.flatMap((entry) => {
      const node = this.content.guide.nodes[entry.node];
      if (!node || node.kind === 'question' || !node.plan) return [];
      const variant = node.plan.find((v) => Object.entries(v.when ?? {}).every(([question, answer]) => answers.get(question) === answer));
      return variant ? [variant.text] : [];
    });
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: GuideStart): Promise<DialogTurnResult> {
    const path = options?.path ?? [];
    const at = options?.at !== undefined ? this.content.guide.nodes[options.at] : undefined;
    if (at?.kind !== 'question') return this.walk(innerDc, this.content.guide.start, []);
    if (options?.answer === undefined || !(options.answer in at.answers)) return this.ask(innerDc, options!.at!, path);
    return this.walk(innerDc, answerTarget(at, options.answer, danishToday(this.clock))!, [...path, { node: options.at!, answer: options.answer }]);
  }

  private async askStep(step: WaterfallStepContext<QuestionOptions>): Promise<DialogTurnResult> {
    const node = this.question(step.options.node);
    return step.prompt(ANSWER_PROMPT_ID, {
      prompt: this.replies.question(node),
      retryPrompt: this.replies.retry(node),
      choices: Object.keys(node.answers),
    });
  }

  private async followAnswerStep(step: WaterfallStepContext<QuestionOptions>): Promise<DialogTurnResult> {
    const { node: nodeId, path } = step.options;
    const answer = step.result as string;
    const next = answerTarget(this.question(nodeId), answer, danishToday(this.clock))!;
    return this.walk(step, next, [...path, { node: nodeId, answer }]);
  }

  /**
   * Says every box from `from` up to the next question that has something to decide today,
   * then asks it; or ends the guide with the person's plan. A question whose answers all lead
   * to one box today is not asked: its `skipped` sentence says why, and the walk goes on.
   */
  private async walk(dc: DialogContext, from: string, path: PathEntry[]): Promise<DialogTurnResult> {
    const today = danishToday(this.clock);
    const flowchart = this.content.labels.sources['saadan-faar-du-mitid-flowchart.txt'];
    // A step's heading is said together with the text after it ("Trin 1" and why Q1 is not
    // asked today) in one message; before a question it stands alone, as the question has buttons.
    let heading: string | undefined;
    const say = async (text?: string) => {
      const joined = [heading, text].filter((t) => t !== undefined).join('\n\n');
      heading = undefined;
      await dc.context.sendActivity(this.replies.sourced(this.replies.plain(joined), flowchart));
    };
    let id: string | undefined = from;
    while (id !== undefined) {
      const node: GuideNode = this.content.guide.nodes[id]!;
      if (node.kind === 'question') {
        const onlyWay = commonTarget(node, today);
        if (onlyWay === undefined || !node.skipped) {
          if (heading !== undefined) await say();
          return this.ask(dc, id, path);
        }
        await say(node.skipped.text);
        path = [...path, { node: id, skipped: true }];
        id = onlyWay;
        continue;
      }
      const text = pickDated(node.text, today);
      if (node.kind === 'step' && heading === undefined) heading = text;
      else await say(text);
      this.onBox(dc.context, id);
      path = [...path, { node: id }];
      id = node.next ? pickDated(node.next, today) : undefined;
    }
    if (heading !== undefined) await say();
    const steps = this.plan(path);
    if (steps.length > 0) await dc.context.sendActivity(this.replies.message('plan', { steps: steps.map((step, i) => `${i + 1}. ${step}`).join('\n') }));
    else await dc.context.sendActivity(this.replies.message('guideEnd'));
    return dc.endDialog(path);
  }

  /** Asks question `id` (its waterfall replaces the one of the question before it). */
  private ask(dc: DialogContext, id: string, path: PathEntry[]): Promise<DialogTurnResult> {
    const options: QuestionOptions = { node: id, path };
    return dc.activeDialog ? dc.replaceDialog(questionDialogId(id), options) : dc.beginDialog(questionDialogId(id), options);
  }

  private question(id: string): QuestionNode {
    const node = this.content.guide.nodes[id];
    if (node?.kind !== 'question') throw new Error(`Guide node ${id} is not a question`);
    return node;
  }
}
