import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadIntentContent, type IntentContent } from '../nlu/intents-content';
import { loadClassifierSettings, type ClassifierSettings } from '../nlu/classifier-settings';
import { ContentError, loadYaml } from './yaml';
import { checkGuideGraph, guideSchema, type GuideContent } from './guide-content';
import { handoffTextsSchema, type HandoffTexts } from './handoff-texts';
import { followUpsSchema, type FollowUpsContent } from './follow-ups';
import { messagesSchema, type MessagesContent } from './messages';
import { phrasesSchema, type PhrasesContent } from './phrases';

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

/** Loads and cross-checks the dialog content under `root`. */
export function loadContent(root: string = defaultContentRoot()): Content {
  const guideFile = path.join(root, 'dialogs', 'guide.yaml');
  const guide = loadYaml(guideFile, guideSchema);
  const messages = loadYaml(path.join(root, 'dialogs', 'messages.yaml'), messagesSchema);
  const phrases = loadYaml(path.join(root, 'dialogs', 'phrases.yaml'), phrasesSchema);

  const problems = checkGuideGraph(guide.data, new Set(Object.keys(phrases.data.answers)));
  if (problems.length > 0) throw new ContentError(`${guideFile}:\n  ${problems.join('\n  ')}`);

  const intents = loadIntentContent(root);
  const followUpsFile = path.join(root, 'intents', 'follow-ups.yaml');
  const followUps = loadYaml(followUpsFile, followUpsSchema).data;
  const unknownTopics = [
    ...Object.keys(followUps.topics).filter((id) => !intents.intents.has(id as never)).map((id) => `${followUpsFile}: topics.${id} er ikke et intent / is not an intent`),
    ...Object.entries(guide.data.nodes).flatMap(([id, node]) =>
      node.kind !== 'question' && node.topic && !intents.intents.has(node.topic as never) ? [`${guideFile}: ${id}.topic ${node.topic} er ikke et intent / is not an intent`] : [],
    ),
  ];
  if (unknownTopics.length > 0) throw new ContentError(unknownTopics.join('\n'));

  return {
    guide: guide.data,
    messages: messages.data,
    phrases: phrases.data,
    handoff: loadYaml(path.join(root, 'dialogs', 'handoff.yaml'), handoffTextsSchema).data,
    intents,
    followUps,
    classifier: loadClassifierSettings(root),
    guideVersion: createHash('sha256').update(JSON.stringify(guide.data)).digest('hex').slice(0, 16),
  };
}
