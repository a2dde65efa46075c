import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadIntentContent, type IntentContent } from './intents-content';
import { defaultContentRoot } from './content-root';
import { loadClassifierSettings, type ClassifierSettings } from './classifier-settings';
import { ContentError, loadYaml } from './yaml';
import { guideSchema, type GuideContent } from './guide-content';
import { handoffTextsSchema, type HandoffTexts } from './handoff-texts';
import { labelsSchema, type Labels } from './labels';
import { followUpsSchema, type FollowUpsContent } from './follow-ups';
import { messagesSchema, type MessagesContent } from './messages';
import { pageTextsSchema, type PageTexts } from './page-texts';
import { phrasesSchema, type PhrasesContent } from './phrases';
import { readSources } from './sources';
import { formatProblem, validateContent } from './validate-content';

export { ContentError, defaultContentRoot, loadYaml };

/** Everything the bot says and understands, loaded from YAML and checked. */
export interface Content {
  guide: GuideContent;
  messages: MessagesContent;
  phrases: PhrasesContent;
  /** What the bot and the agent page say around a hand-over to a person. */
  handoff: HandoffTexts;
  /** The bot's name and the short labels around its texts (source titles and the like). */
  labels: Labels;
  /** FAQ intents with their answers, and out-of-scope examples. */
  intents: IntentContent;
  /** Short follow-up questions about the topic just answered, and what the sources say. */
  followUps: FollowUpsContent;
  /** How the intent classifier reads text and when it gives up. */
  classifier: ClassifierSettings;
  /** What the web pages' scripts show: the agent desk, the widget and the embed launcher. */
  pages: PageTexts;
  /** Hash of the guide file: conversations started on another version restart cleanly. */
  guideVersion: string;
}

/** Reads every content file under `root` and checks each against its schema; the files are not compared with each other. */
export function readContent(root: string = defaultContentRoot()): Content {
  const guide = loadYaml(path.join(root, 'dialogs', 'guide.yaml'), guideSchema).data;
  return {
    guide,
    messages: loadYaml(path.join(root, 'dialogs', 'messages.yaml'), messagesSchema).data,
    phrases: loadYaml(path.join(root, 'dialogs', 'phrases.yaml'), phrasesSchema).data,
    handoff: loadYaml(path.join(root, 'dialogs', 'handoff.yaml'), handoffTextsSchema).data,
    labels: loadYaml(path.join(root, 'dialogs', 'labels.yaml'), labelsSchema).data,
    intents: loadIntentContent(root),
    followUps: loadYaml(path.join(root, 'intents', 'follow-ups.yaml'), followUpsSchema).data,
    classifier: loadClassifierSettings(root),
    pages: loadYaml(path.join(root, 'dialogs', 'pages.yaml'), pageTextsSchema).data,
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
