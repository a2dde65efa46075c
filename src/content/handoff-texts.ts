import { z } from 'zod';
import { normalizeText } from '../text/normalize';

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
  'fromAgentNamed',
  'transferred',
  'transferredToQueue',
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
  'citizenTyping',
  'transferredToYou',
  'transferredAway',
  'transferredToQueue',
  'template',
  'citizenLeft',
  'noteSaved',
  'handedBack',
  'closed',
  'notYours',
  'notOnList',
  'takenBy',
  'notAgent',
  'unknownCommand',
  'queueItem',
  'caseCard',
  'cardTaken',
  'cardRequeued',
  'cardReturned',
  'cardClosed',
  'cardLeft',
  'escalation',
] as const;

/** The agents' slash commands, by the id the code knows them by; the words are data (`commands`). */
export const deskCommandIds = ['queue', 'take', 'note', 'template', 'transfer', 'back', 'close', 'help'] as const;
export type DeskCommandId = (typeof deskCommandIds)[number];

export type CitizenHandoffId = (typeof citizenHandoffIds)[number];
export type AgentDeskId = (typeof agentDeskIds)[number];

const phrase = z.string().trim().min(1);
const commandWord = z
  .string()
  .trim()
  .regex(/^[^\s/]+$/, 'ét ord uden skråstreg / one word without the slash');
const label = z.string().trim().min(1);

/** How a case is shown to agents: who said a transcript line, and the facts on a Teams case card. */
const caseLabels = z
  .object({
    citizen: label,
    agent: label,
    hub: label,
    card: z.object({ reason: label, waitingSince: label, guidePath: label, topics: label, channel: label, lastLine: label }).strict(),
  })
  .strict();

export const handoffTextsSchema = z
  .object({
    citizen: z.object(Object.fromEntries(citizenHandoffIds.map((id) => [id, entry])) as Record<CitizenHandoffId, typeof entry>).strict(),
    agent: z.object(Object.fromEntries(agentDeskIds.map((id) => [id, entry])) as Record<AgentDeskId, typeof entry>).strict(),
    commands: z.object(Object.fromEntries(deskCommandIds.map((id) => [id, z.array(commandWord).min(1)])) as Record<DeskCommandId, z.ZodArray<typeof commandWord>>).strict(),
    labels: caseLabels,
    // Canned replies; the key is the name agents type after /skabelon, so one word.
    templates: z.record(z.string().regex(/^[a-z0-9æøå_-]+$/, 'ét ord med små bogstaver / one lower-case word'), z.object({ title: label, text, source: text }).strict()),
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
    // Commands are compared normalised ("/kø" is "/koe"): a word under two commands would mean both.
    const owner = new Map<string, string>();
    for (const [id, words] of Object.entries(texts.commands)) {
      words.forEach((word, i) => {
        const key = normalizeText(word);
        const before = owner.get(key);
        if (before !== undefined && before !== id) ctx.addIssue({ code: 'custom', path: ['commands', id, i], message: `står også under ${before} / is also under ${before}` });
        owner.set(key, id);
      });
    }
    // The Teams case card's one button takes the case.
    if (texts.agent.caseCard.buttons?.length !== 1) ctx.addIssue({ code: 'custom', path: ['agent', 'caseCard', 'buttons'], message: 'skal have én knap: overtag / must have one button: take' });
  });

export type HandoffTexts = z.output<typeof handoffTextsSchema>;
export type HandoffText = z.output<typeof entry>;
