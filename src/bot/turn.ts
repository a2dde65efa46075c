import { InputHints, type Activity, type RecognizerResult, type TurnContext } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import type { Claim } from '../handoff/citizen-handoff';
import type { Reading } from '../nlu/message-reader';
import { maskPersonalData } from '../text/mask';
import type { FollowUp } from './follow-ups';
import type { Memory, OfferKind, Option, Pending, SaidReply } from './memory';
import type { RepairPlan } from './repair';
import type { Binding } from './reply-binding';
import type { CommandId } from '../content/phrases';

/** Where the open message turn is found in turn state, for the bot's send hook. */
export const OPEN_TURN = Symbol('mitid.openTurn');

/** Only so much of the last turn is kept for "kan du gentage det?": it is stored with every turn. */
const SAID_MESSAGES = 5;
const SAID_CHARS = 1500;

/** How an offer's buttons become options, and how its short replies are read. */
export interface AskOptions {
  kind: OfferKind;
  /** The option a plain "ja" picks. */
  yes?: number;
  no?: Option['action'];
  /** The person's question behind "Mente du …?", masked. */
  question?: string;
  /** Options other than the activity's buttons read as titles. */
  options?: Option[];
}

/** How the turn reads the buttons it sends, and names the texts it keeps for "gentag". */
export interface TurnReading {
  optionsFor(titles: readonly string[]): Option[];
  nameOf(text: string): string | undefined;
}

/** What the rest of the turn needs once the router has opened the conversation. */
export interface OpenedTurn {
  dc: DialogContext;
  memory: Memory;
  previous?: Pending;
}

/**
 * One message turn while the router decides it: the text, the conversation's memory, what the
 * bot was waiting for before this turn (`previous`), and what this turn asks or offers
 * (`asked`: the latest ask wins, so only one question is ever pending). Rows stash what they
 * worked out in `when` for their `run`.
 */
export class Turn {
  /** The row that decided the turn. */
  route = '';
  /** How a short reply was read against the offer ("offer: 1", "consent: yes"). */
  bound?: string;
  /** The classifier's scores, when the message was classified. */
  result?: RecognizerResult;
  asked?: Pending;
  private opened?: OpenedTurn;
  private hooks: TurnReading = { optionsFor: () => [], nameOf: () => undefined };
  private readonly said: SaidReply[] = [];

  // Worked out by a row's `when`, used by its `run`.
  claim?: Claim;
  binding?: Binding;
  command?: CommandId;
  plan?: RepairPlan;
  followUp?: FollowUp;
  reading?: Reading;

  constructor(readonly context: TurnContext) {}

  /** What the person wrote (followed as it changes: the Teams rows take the @mention out and a card's choice in). */
  get text(): string {
    const raw = this.context.activity.text ?? '';
    if (raw !== this.rawText) {
      this.rawText = raw;
      this.trimmed = raw.trim();
    }
    return this.trimmed;
  }

  private rawText: string | undefined;
  private trimmed = '';

  get activity(): Activity {
    return this.context.activity;
  }

  get isOpen(): boolean {
    return this.opened !== undefined;
  }

  /** The dialog context; only after {@link open}. */
  get dc(): DialogContext {
    return this.state().dc;
  }

  get memory(): Memory {
    return this.state().memory;
  }

  /** What the bot was waiting for when the message came. */
  get previous(): Pending | undefined {
    return this.state().previous;
  }

  /** The offer the bot made before this message, if it was one (not a guide question). */
  get previousOffer(): Exclude<Pending, { kind: 'question' }> | undefined {
    const previous = this.previous;
    return previous && previous.kind !== 'question' ? previous : undefined;
  }

  get masked(): string {
    return maskPersonalData(this.text);
  }

  /**
   * Starts the conversational part of the turn: from here on every message the bot sends is
   * kept for "gentag", and a message with buttons becomes the pending offer.
   */
  open(opened: OpenedTurn, hooks: TurnReading): void {
    this.opened = opened;
    this.hooks = hooks;
    this.context.turnState.set(OPEN_TURN, this);
  }

  /** Notes replies being sent (from the bot's send hook): what "gentag" says again, and the offer their buttons make. */
  noteSent(activities: ReadonlyArray<Partial<Activity>>): void {
    for (const a of activities) {
      if (a.type !== 'message' || !a.text) continue;
      const buttons = (a.suggestedActions?.actions ?? []).map((action) => String(action.title));
      if (this.said.length < SAID_MESSAGES) {
        const name = this.hooks.nameOf(a.text);
        this.said.push({ ...(name ? { name } : { text: a.text.slice(0, SAID_CHARS) }), ...(buttons.length > 0 ? { buttons } : {}) });
      }
      // A guide question is pending through the dialog stack; other buttons are an offer.
      if (a.inputHint === InputHints.ExpectingInput) this.asked = { kind: 'question', node: '' };
      else if (buttons.length > 0) {
        const options = this.hooks.optionsFor(buttons);
        this.asked = options.length > 0 ? { kind: 'offer', options } : undefined;
      }
    }
  }

  /** Sends `activity` and makes it the pending offer, read as `how` says. */
  async ask(activity: Partial<Activity>, how: AskOptions): Promise<void> {
    await this.context.sendActivity(activity);
    const titles = (activity.suggestedActions?.actions ?? []).map((a) => String(a.title));
    const { options = this.hooks.optionsFor(titles), ...rest } = how;
    this.asked = { ...rest, options };
  }

  /** What the bot said in this turn, for "kan du gentage det?" next time. */
  saidThisTurn(): SaidReply[] {
    return this.said;
  }

  private state(): OpenedTurn {
    if (!this.opened) throw new Error('the turn has not been opened');
    return this.opened;
  }
}
