import { CardFactory, type Attachment } from 'botbuilder';
import type { HandoffTexts } from '../content/handoff-texts';
import { isCaseId } from '../handoff/case-ids';

/** What a button on one of our cards sends back (as `value` of a message, or `data` of an invoke). */
export interface ChoiceData {
  choice: string;
}

export interface TakeCaseData {
  action: 'takeCase';
  caseId: string;
}

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/**
 * A text with its choices as an Adaptive Card 1.5 with Action.Submit buttons: suggested
 * actions do not suit team channels and group chats (and Teams shows at most three).
 */
export function choicesCard(text: string, choices: readonly string[]): Attachment {
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    body: [{ type: 'TextBlock', text, wrap: true }],
    actions: choices.map((choice) => ({ type: 'Action.Submit', title: choice, data: { choice } satisfies ChoiceData })),
  });
}

/** What a case card says around the case's facts: dialogs/handoff.yaml's `caseCard` (or a later state) and `labels.card`. */
export interface CaseCardTexts {
  /** The heading, "Ny sag M-482-1773", or what became of the case ("Sag M-482-1773 · Anna Jensen har sagen"). */
  title: string;
  /** The button that takes the case; left out once nobody can take it. */
  take?: string;
  labels: HandoffTexts['labels']['card'];
}

/**
 * A case for the support desk's channel. Its button is a Universal Action (Action.Execute): Teams
 * sends it as an `adaptiveCard/action` invoke and shows the card the bot answers with, so a
 * press on a card that is out of date brings the current one.
 */
export function caseCard(
  c: { id: string; reason: string; waitingSince: string; guidePath: string[]; topics: string[]; channel: string; lastLine?: string },
  texts: CaseCardTexts,
): Attachment {
  const { labels } = texts;
  const facts = [
    { title: labels.reason, value: c.reason },
    { title: labels.waitingSince, value: new Date(c.waitingSince).toLocaleTimeString('da-DK', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Copenhagen' }) },
    { title: labels.guidePath, value: c.guidePath.length > 0 ? c.guidePath.join(' → ') : '–' },
    { title: labels.topics, value: c.topics.length > 0 ? c.topics.join(', ') : '–' },
    { title: labels.channel, value: c.channel },
    ...(c.lastLine ? [{ title: labels.lastLine, value: c.lastLine }] : []),
  ];
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    body: [
      { type: 'TextBlock', text: texts.title, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'FactSet', facts },
    ],
    actions: texts.take ? [{ type: 'Action.Execute', verb: 'takeCase', title: texts.take, data: { action: 'takeCase', caseId: c.id } satisfies TakeCaseData }] : [],
  });
}

/** The data of a card button, from a message's `value` or an `adaptiveCard/action` invoke. */
export function cardData(value: unknown): Partial<ChoiceData & TakeCaseData> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  // adaptiveCard/action invokes carry the button's data under `action.data`.
  const data = typeof v.action === 'object' && v.action !== null ? (v.action as Record<string, unknown>).data : v;
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  return {
    ...(typeof d.choice === 'string' && d.choice.length <= 200 ? { choice: d.choice } : {}),
    ...(d.action === 'takeCase' && typeof d.caseId === 'string' && isCaseId(d.caseId) ? { action: 'takeCase' as const, caseId: d.caseId } : {}),
  };
}
