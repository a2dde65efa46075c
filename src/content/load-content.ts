import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { checkGuideGraph, guideSchema, type GuideContent } from './guide-content';
import { messagesSchema, type MessagesContent } from './messages';
import { phrasesSchema, type PhrasesContent } from './phrases';

/** Everything the bot says and understands, loaded from YAML and checked. */
export interface Content {
  guide: GuideContent;
  messages: MessagesContent;
  phrases: PhrasesContent;
  /** Hash of the guide file: conversations started on another version restart cleanly. */
  guideVersion: string;
}

/** Thrown when a content file is missing or wrong; the message names file and place. */
export class ContentError extends Error {
  override name = 'ContentError';
}

/** The folder holding `dialogs/` and `intents/`, found from this file whether run from src or dist. */
export function defaultContentRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'dialogs', 'guide.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new ContentError('Fandt ikke dialogs/guide.yaml / could not find dialogs/guide.yaml');
    dir = parent;
  }
  return dir;
}

/** Reads one YAML file and validates it; errors name the file and the path inside it. */
export function loadYaml<S extends z.ZodType>(file: string, schema: S): { data: z.output<S>; raw: string } {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ContentError(`${file}: kan ikke læses / cannot be read (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch (err) {
    throw new ContentError(`${file}: ugyldig YAML / invalid YAML: ${(err as Error).message}`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new ContentError(`${file}:\n${lines.join('\n')}`);
  }
  return { data: result.data, raw };
}

/** Loads and cross-checks the dialog content under `root`. */
export function loadContent(root: string = defaultContentRoot()): Content {
  const guideFile = path.join(root, 'dialogs', 'guide.yaml');
  const guide = loadYaml(guideFile, guideSchema);
  const messages = loadYaml(path.join(root, 'dialogs', 'messages.yaml'), messagesSchema);
  const phrases = loadYaml(path.join(root, 'dialogs', 'phrases.yaml'), phrasesSchema);

  const problems = checkGuideGraph(guide.data, new Set(Object.keys(phrases.data.answers)));
  if (problems.length > 0) throw new ContentError(`${guideFile}:\n  ${problems.join('\n  ')}`);

  return {
    guide: guide.data,
    messages: messages.data,
    phrases: phrases.data,
    guideVersion: createHash('sha256').update(JSON.stringify(guide.data)).digest('hex').slice(0, 16),
  };
}
