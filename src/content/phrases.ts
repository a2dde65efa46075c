import { z } from 'zod';

const phrase = z.string().trim().min(1);
const phrases = z.array(phrase).min(1);

export const commandIds = ['start_guide', 'restart', 'stop', 'help', 'ask', 'opt_out', 'human', 'none_of_these', 'resume', 'back', 'repeat'] as const;
export type CommandId = (typeof commandIds)[number];

/** Where a button stands in an offer: "1"–"3" from the top, or the last one. */
export const ordinalIds = ['1', '2', '3', 'last'] as const;
export type OrdinalId = (typeof ordinalIds)[number];

export const phrasesSchema = z
  .object({
    answers: z.record(
      z.string().regex(/^[a-z_]+$/),
      z.object({ label: phrase, phrases }).strict(),
    ),
    commands: z.object(Object.fromEntries(commandIds.map((id) => [id, phrases])) as Record<CommandId, typeof phrases>).strict(),
    commandsAnywhere: z.array(z.enum(commandIds)).default([]),
    fillers: z.array(phrase).default([]),
    acknowledgements: z.array(phrase).default([]),
    replies: z.object({ yes: phrases, no: phrases }).strict(),
    ordinals: z.object(Object.fromEntries(ordinalIds.map((id) => [id, phrases])) as Record<OrdinalId, typeof phrases>).strict(),
    corrections: z.object({ strong: phrases, weak: z.array(phrase).default([]) }).strict(),
    negations: phrases,
    affirmations: phrases,
    questionWords: phrases,
    questionVerbs: phrases,
    subjects: phrases,
    english: z.object({ words: phrases, alsoDanish: z.array(phrase).default([]) }).strict(),
    person: z
      .object({
        asks: phrases,
        calls: phrases,
        numbers: phrases,
        ours: phrases,
        notAfter: z.array(phrase).default([]),
        numbersNotAfter: z.array(phrase).default([]),
        skip: z.array(phrase).default([]),
        elsewhere: z.array(phrase).default([]),
      })
      .strict(),
  })
  .strict();

export type PhrasesContent = z.output<typeof phrasesSchema>;
