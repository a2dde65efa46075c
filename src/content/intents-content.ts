import path from 'node:path';
import { z } from 'zod';
import { datedSchema } from './dated';
import { loadYaml } from './yaml';

/** Intent ids are fixed: analytics, traces and outside checks use them. */
export const intentIds = [
  'mitid_uses',
  'get_mitid',
  'when_my_turn',
  'no_danish_bank',
  'update_id_info',
  'keep_nemid',
  'nemid_end_dates',
  'get_help',
  'stakeholder_forum',
  'stakeholder_meetings',
  'usability_testing',
  'identity_check',
  'create_with_nemid',
  'passport_app',
  'borgerservice',
  'cannot_visit_borgerservice',
  'code_display',
  'urgent_access',
  'mitid_app',
  'shared_device',
  'spare_mitid',
  'mitid_optional',
  'lost_device',
  'forgot_code',
  'suspected_fraud',
  'app_not_working',
  'greeting',
  'thanks',
  'goodbye',
  'human_agent',
  'restart',
] as const;
export type IntentId = (typeof intentIds)[number];
/** What the recognizer returns when no intent is likely enough. */
export const NONE_INTENT = 'none';
export type RecognizedIntent = IntentId | typeof NONE_INTENT;

export const sourceFiles = ['fra-nemid-til-mitid.txt', 'saadan-faar-du-mitid-flowchart.txt'] as const;
export type SourceFile = (typeof sourceFiles)[number];

const text = z.string().trim().min(1);


const intentSchema = z
  .object({
    id: z.enum(intentIds),
    title: text.max(40, 'højst 40 tegn / at most 40 characters'),
    examples: z.array(text).min(20, 'mindst 20 eksempler / at least 20 examples'),
    answer: datedSchema(text, 'text'),
    sources: z.array(z.object({ file: z.enum(sourceFiles), quote: text }).strict()),
    followUps: z.array(z.enum(intentIds)).max(3, 'højst tre / at most three').default([]),
    offerGuide: z.boolean().default(false),
    startsGuide: z.boolean().default(false),
    offersPerson: z.boolean().default(false),
  })
  .strict();

export const faqSchema = z
  .object({ intents: z.array(intentSchema) })
  .strict()
  .superRefine((faq, ctx) => {
    const seen = new Set<string>();
    for (const intent of faq.intents) {
      if (seen.has(intent.id)) ctx.addIssue({ code: 'custom', message: `${intent.id} står to gange / appears twice` });
      seen.add(intent.id);
    }
    for (const id of intentIds) if (!seen.has(id)) ctx.addIssue({ code: 'custom', message: `${id} mangler / is missing` });
  });

export const outOfScopeSchema = z.object({ examples: z.array(text).min(20) }).strict();

export type FaqIntent = z.output<typeof intentSchema>;

/** FAQ intents and out-of-scope examples, as the classifier and the router use them. */
export interface IntentContent {
  intents: ReadonlyMap<IntentId, FaqIntent>;
  outOfScope: readonly string[];
}

/** Loads intents/faq.yaml and intents/out-of-scope.yaml from `root`. */
export function loadIntentContent(root: string): IntentContent {
  const faq = loadYaml(path.join(root, 'intents', 'faq.yaml'), faqSchema).data;
  const outOfScope = loadYaml(path.join(root, 'intents', 'out-of-scope.yaml'), outOfScopeSchema).data;
  return { intents: new Map(faq.intents.map((i) => [i.id, i])), outOfScope: outOfScope.examples };
}
