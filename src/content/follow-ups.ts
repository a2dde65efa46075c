import { z } from 'zod';
import { datedSchema } from './dated';

const text = z.string().trim().min(1);
const phrases = z.array(text).min(1);

/** What a short follow-up question can ask about the topic just answered. */
export const followUpKinds = ['duration', 'price', 'bring', 'where', 'phone', 'hours'] as const;
export type FollowUpKind = (typeof followUpKinds)[number];

const kind = z.object({ phrases, unknown: text, neverInSources: z.boolean().default(false) }).strict();
const sourced = z
  .object({
    text: datedSchema(text, 'text'),
    source: z.object({ file: text, quote: text }).strict(),
  })
  .strict();

export const followUpsSchema = z
  .object({
    kinds: z.object(Object.fromEntries(followUpKinds.map((id) => [id, kind])) as Record<FollowUpKind, typeof kind>).strict(),
    fillers: phrases,
    notInSources: z.object({ text, buttons: z.array(text).max(3).default([]), source: text.optional() }).strict(),
    topics: z.record(
      z.string().regex(/^[a-z_]+$/),
      z
        .object({
          words: z.array(text).default([]),
          answers: z.object(Object.fromEntries(followUpKinds.map((id) => [id, sourced.optional()])) as Record<FollowUpKind, z.ZodOptional<typeof sourced>>).strict(),
        })
        .strict(),
    ),
  })
  .strict();

export type FollowUpsContent = z.output<typeof followUpsSchema>;
