import { z } from 'zod';
import { sourceFiles, type SourceFile } from './intents-content';

const label = z.string().trim().min(1);

/**
 * dialogs/labels.yaml: the bot's name and the short labels it puts around its texts (where an
 * answer comes from, what the path through the guide left open); the sentences are elsewhere.
 */
export const labelsSchema = z
  .object({
    botName: label,
    sources: z.object(Object.fromEntries(sourceFiles.map((file) => [file, label])) as Record<SourceFile, typeof label>).strict(),
    unanswered: label,
    notUnderstood: label,
    you: label,
    diagram: z.object({ before: label, from: label, between: label }).strict(),
  })
  .strict();

export type Labels = z.output<typeof labelsSchema>;

/** The titles of the sources `files` names, each once, in order: "Fra NemID til MitID, Sådan får du MitID". */
export function sourceTitlesOf(labels: Labels, files: readonly SourceFile[]): string {
  return [...new Set(files.map((file) => labels.sources[file]))].join(', ');
}
