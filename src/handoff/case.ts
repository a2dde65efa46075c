import type { ConversationReference } from 'botbuilder';

/**
 * queued    – waiting for an agent (the only status shown in the queue)
 * assigned  – an agent (ours, or one of an external hub) is chatting with the person
 * external  – handed to a contact-centre hub on the channel; waiting for its handoff.status
 * returned  – the agent gave the conversation back to the bot
 * closed    – the agent (or the hub) ended it; the person is asked one satisfaction question
 * cancelled – the person left ("annuller")
 * failed    – the hub said it could not take the conversation
 */
export type CaseStatus = 'queued' | 'assigned' | 'external' | 'returned' | 'closed' | 'cancelled' | 'failed';

export const OPEN_STATUSES: ReadonlySet<CaseStatus> = new Set(['queued', 'assigned', 'external']);

/** What a member of staff may see: an agent her own and the queued cases, a supervisor every case. */
export type StaffRole = 'agent' | 'supervisor';

/** Why the conversation went to a person. */
export type EscalationReason = 'asked' | 'fallbacks';

/** One line of what was said, personal data already masked. */
export interface TranscriptLine {
  at: string;
  from: 'citizen' | 'bot' | 'agent';
  /** The agent's display name on agent lines. */
  name?: string;
  text: string;
}

export interface CaseNote {
  at: string;
  agent: string;
  text: string;
}

/** A case passed on: to a named agent, or back to the queue when `to` is absent. */
export interface CaseTransfer {
  at: string;
  /** The agent who passed it on. */
  from: CaseAgent;
  to?: CaseAgent;
  /** Why, for the next agent (masked). */
  note?: string;
}

export interface CaseAgent {
  /** AGENT_ACCOUNTS username, or "external" when a hub on the channel took it. */
  id: string;
  name: string;
}

/** A hand-over to a person, as stored (key `handoff/case/<id>`). */
export interface HandoffCase {
  id: string;
  status: CaseStatus;
  reason: EscalationReason;
  channelId: string;
  /** Where the person is, for messages sent to them outside their own turns. */
  conversation: Partial<ConversationReference>;
  createdAt: string;
  /** When the current wait began (reset when the person chooses to keep waiting). */
  waitingSince: string;
  /** The person has been told that no agent took the case in time (for the current wait). */
  waitNotified: boolean;
  takenAt?: string;
  endedAt?: string;
  agent?: CaseAgent;
  /** Guide boxes passed with the answers given, e.g. ["Q1 Ja", "Q2 Nej", "Borgerservice"]. */
  guidePath: string[];
  /** The latest recognised intents, newest last. */
  recentIntents: string[];
  transcript: TranscriptLine[];
  notes: CaseNote[];
  /** 1–5, the person's answer after the case was closed. */
  satisfaction?: number;
  /** The agent's own chat for this case (a conversation of its own on the agent page), once the agent opened it. */
  agentChat?: Partial<ConversationReference>;
  transfers?: CaseTransfer[];
  /** Earlier cases of the same conversation or person, oldest first. */
  earlierCaseIds?: string[];
  /** Who took part: every agent the case was assigned to, for "her own cases" in the history. */
  handledBy?: string[];
}

/** What the person's side knows when a case is opened. */
export interface NewCase {
  reason: EscalationReason;
  channelId: string;
  conversation: Partial<ConversationReference>;
  guidePath: string[];
  recentIntents: string[];
  transcript: TranscriptLine[];
}

/** A case keeps more lines than the rolling transcript in conversation state: the agent chat is added. */
export const CASE_TRANSCRIPT_LINES = 500;

/** A new case as stored, waiting since `now`. */
export function newCaseRecord(id: string, input: NewCase, status: 'queued' | 'external', now: string): HandoffCase {
  const { reason, channelId, conversation, guidePath, recentIntents } = input;
  return { id, status, reason, channelId, conversation, createdAt: now, waitingSince: now, waitNotified: false, guidePath, recentIntents, transcript: input.transcript.slice(-CASE_TRANSCRIPT_LINES), notes: [] };
}

/**
 * The masked, shortened conversation kept in conversation state until a hand-over needs it.
 * It is written with every turn's state, so it is kept small: the person's own words matter
 * most to an agent; the bot's answers are in the content and only their start is kept.
 */
export const TRANSCRIPT_LINES = 24;
const LINE_CHARS: Record<TranscriptLine['from'], number> = { citizen: 600, agent: 600, bot: 80 };

/** Keeps the last `max` lines, each shortened to what {@link LINE_CHARS} allows its speaker. */
export function appendLine(lines: TranscriptLine[], line: TranscriptLine, max = TRANSCRIPT_LINES): TranscriptLine[] {
  const limit = LINE_CHARS[line.from];
  const text = line.text.length > limit ? `${line.text.slice(0, limit - 1)}…` : line.text;
  // One new array per line (the transcript is written with every turn's state).
  const next = lines.slice(Math.max(0, lines.length - max + 1));
  next.push(text === line.text ? line : { ...line, text });
  return next;
}

/** Minutes between two ISO times, rounded down, at least 0. */
export function minutesBetween(from: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - Date.parse(from)) / 60_000));
}
