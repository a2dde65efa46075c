import { z } from 'zod';
import { datedSchema } from './dated';

const text = z.string().trim().min(1);

const message = z
  .object({
    text: datedSchema(text, 'text'),
    buttons: z.array(text).max(3, 'højst tre knapper / at most three buttons').optional(),
    source: text.optional(),
  })
  .strict();

export const messageIds = [
  'welcome',
  'help',
  'ask',
  'guideStart',
  'guideRunning',
  'plan',
  'guideEnd',
  'rewound',
  'firstQuestion',
  'corrected',
  'alreadyNoted',
  'resumed',
  'nothingToResume',
  'guideUpdated',
  'restarted',
  'stopped',
  'whatHelp',
  'whichOne',
  'noThanks',
  'nothingToRepeat',
  'english',
  'cprWarning',
  'longMessage',
  'retry',
  'fallback',
  'didYouMean',
  'noneOfThese',
  'optOut',
  'emptyMessage',
  'attachmentsOnly',
  'tooLong',
  'turnError',
  'sourceLine',
  'teamIntro',
] as const;
export type MessageId = (typeof messageIds)[number];

export const messagesSchema = z
  .object(Object.fromEntries(messageIds.map((id) => [id, message])) as Record<MessageId, typeof message>)
  .strict();

export type MessagesContent = z.output<typeof messagesSchema>;
export type MessageContent = z.output<typeof message>;
