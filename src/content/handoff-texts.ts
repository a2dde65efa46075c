import { z } from 'zod';

const text = z.string().trim().min(1);

const entry = z
  .object({
    text,
    // The satisfaction question offers 1–5; elsewhere Teams shows at most three.
    buttons: z.array(text).max(5, 'højst fem knapper / at most five buttons').optional(),
    source: text.optional(),
  })
  .strict();

export const citizenHandoffIds = [
  'consent',
  'offerAfterFallbacks',
  'consentNoCall',
  'declined',
  'queued',
  'noAgents',
  'timeout',
  'sentToHub',
  'waitingForHub',
  'stillQueued',
  'keepWaiting',
  'cancelled',
  'connected',
  'fromAgent',
  'handedBack',
  'closed',
  'failed',
  'satisfaction',
  'thanks',
  'otherHelp',
] as const;

export const agentDeskIds = [
  'welcome',
  'help',
  'queue',
  'queueEmpty',
  'newCase',
  'summary',
  'reasonAsked',
  'reasonFallbacks',
  'taken',
  'alreadyTaken',
  'busy',
  'notFound',
  'noCase',
  'fromCitizen',
  'citizenLeft',
  'noteSaved',
  'handedBack',
  'closed',
  'notYours',
  'notOnList',
  'takenBy',
  'notAgent',
  'unknownCommand',
] as const;

export type CitizenHandoffId = (typeof citizenHandoffIds)[number];
export type AgentDeskId = (typeof agentDeskIds)[number];

const phrase = z.string().trim().min(1);

export const handoffTextsSchema = z
  .object({
    citizen: z.object(Object.fromEntries(citizenHandoffIds.map((id) => [id, entry])) as Record<CitizenHandoffId, typeof entry>).strict(),
    agent: z.object(Object.fromEntries(agentDeskIds.map((id) => [id, entry])) as Record<AgentDeskId, typeof entry>).strict(),
    phrases: z
      .object({
        stay: z.array(phrase).min(1),
        cancel: z.array(phrase).min(1),
        scores: z.object(Object.fromEntries(['1', '2', '3', '4', '5'].map((n) => [n, z.array(phrase).min(1)])) as Record<'1' | '2' | '3' | '4' | '5', z.ZodArray<typeof phrase>>).strict(),
      })
      .strict(),
  })
  .strict()
  .superRefine((texts, ctx) => {
    // The consent question's buttons are read as yes and no, in that order.
    for (const id of ['consent', 'offerAfterFallbacks', 'consentNoCall'] as const) {
      if (texts.citizen[id].buttons?.length !== 2) ctx.addIssue({ code: 'custom', path: ['citizen', id, 'buttons'], message: 'skal have to knapper: ja og nej / must have two buttons: yes and no' });
    }
  });

export type HandoffTexts = z.output<typeof handoffTextsSchema>;
export type HandoffText = z.output<typeof entry>;
