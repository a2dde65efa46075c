import { z } from 'zod';

const phrase = z.string().trim().min(1);

export const commandIds = ['start_guide', 'restart', 'stop', 'help', 'ask', 'opt_out', 'human', 'none_of_these'] as const;
export type CommandId = (typeof commandIds)[number];

export const phrasesSchema = z
  .object({
    answers: z.record(
      z.string().regex(/^[a-z_]+$/),
      z.object({ label: phrase, phrases: z.array(phrase).min(1) }).strict(),
    ),
    commands: z.object(Object.fromEntries(commandIds.map((id) => [id, z.array(phrase).min(1)])) as Record<CommandId, z.ZodArray<typeof phrase>>).strict(),
    fillers: z.array(phrase).default([]),
  })
  .strict();

export type PhrasesContent = z.output<typeof phrasesSchema>;
