import { CardFactory, type Attachment } from 'botbuilder';

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

/** A new case for the support desk's channel, with the button that takes it. */
export function caseCard(c: { id: string; reason: string; waitingSince: string; guidePath: string[]; topics: string[]; channel: string; lastLine?: string }): Attachment {
  const facts = [
    { title: 'Årsag', value: c.reason },
    { title: 'Venter siden', value: new Date(c.waitingSince).toLocaleTimeString('da-DK', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Copenhagen' }) },
    { title: 'Forløb i guiden', value: c.guidePath.length > 0 ? c.guidePath.join(' → ') : '–' },
    { title: 'Emner', value: c.topics.length > 0 ? c.topics.join(', ') : '–' },
    { title: 'Kanal', value: c.channel },
    ...(c.lastLine ? [{ title: 'Sidst skrev borgeren', value: c.lastLine }] : []),
  ];
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    body: [
      { type: 'TextBlock', text: `Ny sag ${c.id}`, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'FactSet', facts },
    ],
    actions: [{ type: 'Action.Submit', title: 'Overtag', data: { action: 'takeCase', caseId: c.id } satisfies TakeCaseData }],
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
    ...(d.action === 'takeCase' && typeof d.caseId === 'string' && /^M-\d{4,7}$/.test(d.caseId) ? { action: 'takeCase' as const, caseId: d.caseId } : {}),
  };
}
