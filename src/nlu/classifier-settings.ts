import path from 'node:path';
import { z } from 'zod';
import { loadYaml } from '../content/yaml';
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
    threshold: z.number().min(0).max(1),
    ambiguityMargin: z.number().min(0).max(1),
    ambiguousFloor: z.number().min(0).max(1),
    notInClarification: z.array(z.enum(intentIds)).default([]),
    smallTalk: z.array(z.enum(intentIds)).default([]),
    takenWhenBest: z.array(z.enum(intentIds)).default([]),
  })
  .strict();
export type ClassifierSettings = z.output<typeof classifierSettingsSchema>;

/** Reads intents/classifier.yaml under `root`. */
export function loadClassifierSettings(root: string): ClassifierSettings {
  return loadYaml(path.join(root, 'intents', 'classifier.yaml'), classifierSettingsSchema).data;
}
