import type { CommandId } from '../content/phrases';
import type { EscalationReason } from '../handoff/case';
import type { IntentId } from '../content/intents-content';
import type { PathEntry } from '../dialogs/guide-dialog';

/** What a button or a short reply to it does. */
export type Action =
  | { do: 'answer'; intent: IntentId }
  | { do: 'command'; command: CommandId }
  /** Consent given: the conversation goes to a person. */
  | { do: 'escalate'; reason: EscalationReason }
  /** Consent refused: nothing is shared, the open guide question comes back. */
  | { do: 'decline' }
  /** "Ingen af dem" after "Mente du …?": the question is written down for the content editors. */
  | { do: 'noneOfThese' }
  /** "Nej tak" to an offer. */
  | { do: 'dismiss' };

export interface Option {
  title: string;
  action: Action;
}

/**
 * What the bot asked or offered last and now waits for; only the latest counts. A short reply
 * ("ja tak", "den første", "2", "nej") is read against it before anything else.
 * - `question`: a guide question (its answers are read by the guide itself);
 * - `offer`: buttons, one of which a plain "ja" picks when `yes` is set (the guide offered
 *   after an answer, a person after "det står ikke i mine oplysninger");
 * - `didYouMean`: "Mente du …?" with the two intents and "Ingen af dem";
 * - `consent`: "Må jeg sende samtalen videre?";
 * - `stopped`: the guide was stopped and can go on where it was.
 * The satisfaction score after a closed case is awaited by the hand-over (the question is sent
 * outside the person's turn, when the agent closes the case).
 */
export type Pending =
  | { kind: 'question'; node: string }
  | { kind: 'offer' | 'didYouMean' | 'consent' | 'stopped'; options: Option[]; yes?: number; no?: Action; question?: string };

export type OfferKind = Exclude<Pending['kind'], 'question'>;

/**
 * A pending offer as it is stored: its button titles, from which the options are read again
 * (every turn writes this, so it is kept small).
 */
export type StoredPending =
  | { kind: 'question'; node: string }
  | { kind: OfferKind; titles: string[]; yes?: number; reason?: EscalationReason; question?: string };

/** A guide left before its end, kept so that it can go on ("fortsæt") or be corrected ("nej vent, …"). */
export interface GuideLeft {
  /** The question that was open, if the guide was stopped rather than finished. */
  at?: string;
  path: PathEntry[];
}

/** One message the bot sent, as "kan du gentage det?" needs it again: by the content's name for its text (see ContentTexts), or the text itself. */
export interface SaidReply {
  name?: string;
  text?: string;
  buttons?: string[];
}

/** What the bot keeps about its own side of the conversation (conversation state `flags`). */
export interface Memory {
  welcomed?: boolean;
  pending?: StoredPending;
  /** The FAQ intent the last answer or guide box was about, for follow-ups ("hvor lang tid tager det?"). */
  topic?: IntentId;
  /** The guide as it was left, stopped or finished. */
  guideLeft?: GuideLeft;
  /** The messages of the bot's last turn that said something, for "kan du gentage det?". */
  lastSaid?: SaidReply[];
  /** The latest recognised intents, newest last (for the hand-over to a person). */
  recentIntents?: string[];
  /** The latest activities processed, by id, with the replies they got: a resent activity gets these again. */
  processed?: ProcessedTurn[];
}

/** An activity the bot has processed, and what it answered (as sent, without addresses). */
export interface ProcessedTurn {
  id: string;
  replies: Array<Record<string, unknown>>;
}
