import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadIntentContent, type IntentContent } from './intents-content';
import { loadClassifierSettings, type ClassifierSettings } from './classifier-settings';
import { ContentError, loadYaml } from './yaml';
import { guideSchema, type GuideContent } from './guide-content';
import { handoffTextsSchema, type HandoffTexts } from './handoff-texts';
import { followUpsSchema, type FollowUpsContent } from './follow-ups';
import { messagesSchema, type MessagesContent } from './messages';
import { phrasesSchema, type PhrasesContent } from './phrases';
import { readSources } from './sources';
import { formatProblem, validateContent } from './validate-content';

export { ContentError, loadYaml };

/** Everything the bot says and understands, loaded from YAML and checked. */
export interface Content {
  guide: GuideContent;
  messages: MessagesContent;
  phrases: PhrasesContent;
  /** What the bot and the agent page say around a hand-over to a person. */
  handoff: HandoffTexts;
  /** FAQ intents with their answers, and out-of-scope examples. */
  intents: IntentContent;
  /** Short follow-up questions about the topic just answered, and what the sources say. */
  followUps: FollowUpsContent;
  /** How the intent classifier reads text and when it gives up. */
  classifier: ClassifierSettings;
  /** Hash of the guide file: conversations started on another version restart cleanly. */
  guideVersion: string;
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

/** Reads every content file under `root` and checks each against its schema; the files are not compared with each other. */
export function readContent(root: string = defaultContentRoot()): Content {
  const guide = loadYaml(path.join(root, 'dialogs', 'guide.yaml'), guideSchema).data;
  return {
    guide,
    messages: loadYaml(path.join(root, 'dialogs', 'messages.yaml'), messagesSchema).data,
    phrases: loadYaml(path.join(root, 'dialogs', 'phrases.yaml'), phrasesSchema).data,
    handoff: loadYaml(path.join(root, 'dialogs', 'handoff.yaml'), handoffTextsSchema).data,
    intents: loadIntentContent(root),
    followUps: loadYaml(path.join(root, 'intents', 'follow-ups.yaml'), followUpsSchema).data,
    classifier: loadClassifierSettings(root),
    guideVersion: createHash('sha256').update(JSON.stringify(guide)).digest('hex').slice(0, 16),
  };
}

/**
 * Reads the content under `root` and validates it as a whole (src/content/validate-content.ts);
 * the bot never starts on content that contradicts itself or its sources. Throws ContentError
 * with one `file: path: message` line per problem.
 */
export function loadContent(root: string = defaultContentRoot()): Content {
  const content = readContent(root);
  const problems = validateContent(content, readSources(root));
  if (problems.length > 0) throw new ContentError(problems.map(formatProblem).join('\n'), problems);
  return content;
}
