import path from 'node:path';
import { z } from 'zod';
import { loadYaml } from './yaml';
import { intentIds } from './intents-content';

export const classifierSettingsSchema = z
  .object({
    features: z
      .object({
        stemming: z.enum(['snowball', 'porter-no', 'none']),
        dropStopWords: z.boolean(),
        bigrams: z.boolean(),
        charNgrams: z.number().int().min(0).max(6),
      })
      .strict(),
    bayesWeight: z.number().min(0).max(1),
    linear: z
      .object({
        weight: z.number().min(0).max(1),
        epochs: z.number().int().min(1).max(50),
        learningRate: z.number().positive(),
        l2: z.number().min(0),
        letterGrams: z.object({ min: z.number().int().min(1).max(6), max: z.number().int().min(1).max(8) }).strict(),
      })
      .strict()
      .optional(),
    threshold: z.number().min(0).max(1),
    ambiguityMargin: z.number().min(0).max(1),
    ambiguousFloor: z.number().min(0).max(1),
    notInClarification: z.array(z.enum(intentIds)).default([]),
    smallTalk: z.array(z.enum(intentIds)).default([]),
    takenWhenBest: z.array(z.enum(intentIds)).default([]),
    statementFloor: z.number().min(0).max(1).default(0.6),
    firstWhenFound: z.array(z.enum(intentIds)).default([]),
  })
  .strict();
export type ClassifierSettings = z.output<typeof classifierSettingsSchema>;

/** Reads intents/classifier.yaml under `root`. */
export function loadClassifierSettings(root: string): ClassifierSettings {
  return loadYaml(path.join(root, 'intents', 'classifier.yaml'), classifierSettingsSchema).data;
}
