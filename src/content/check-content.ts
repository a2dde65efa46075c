import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { normalizeText } from '../text/normalize';
import { sourceFiles } from '../nlu/intents-content';
import { loadContent, type Content } from './load-content';
import { ContentError, loadYaml } from './yaml';

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

export const heldoutSchema = z
  .object({ utterances: z.array(z.object({ text: z.string().min(1), intent: z.string().min(1) }).strict()).min(1) })
  .strict();

/** The source texts every fact comes from, whitespace collapsed, by file name. */
export function readSources(root: string): Map<string, string> {
  return new Map(sourceFiles.map((file) => [file, collapse(readFileSync(path.join(root, 'intents', 'sources', file), 'utf8'))]));
}

/**
 * Everything `npm run content:check` verifies beyond the schemas: quotes really stand in
 * the sources, and the held-out set shares no sentence with the training examples.
 * Returns the problems (empty when all is well); throws ContentError when a file is invalid.
 */
export function checkContent(root: string): { content: Content; problems: string[] } {
  const content = loadContent(root);
  const sources = readSources(root);
  const anySource = [...sources.values()];
  const problems: string[] = [];
  const quoteMissing = (where: string, quote: string, file?: string) => {
    const q = collapse(quote);
    const found = file ? sources.get(file)?.includes(q) : anySource.some((s) => s.includes(q));
    if (!found) problems.push(`${where}: citatet står ikke i ${file ?? 'kilderne'} / quote not in source: "${quote.slice(0, 80)}"`);
  };
  for (const [id, node] of Object.entries(content.guide.nodes)) if (node.source) quoteMissing(`dialogs/guide.yaml ${id}`, node.source, 'saadan-faar-du-mitid-flowchart.txt');
  for (const [id, message] of Object.entries(content.messages)) if (message.source) quoteMissing(`dialogs/messages.yaml ${id}`, message.source);
  for (const [id, entry] of Object.entries(content.handoff.citizen)) if (entry.source) quoteMissing(`dialogs/handoff.yaml citizen.${id}`, entry.source);
  for (const intent of content.intents.intents.values()) {
    for (const source of intent.sources) quoteMissing(`intents/faq.yaml ${intent.id}`, source.quote, source.file);
  }
  for (const [id, node] of Object.entries(content.guide.nodes)) {
    if (node.kind === 'question' && node.skipped?.source) quoteMissing(`dialogs/guide.yaml ${id}.skipped`, node.skipped.source, 'saadan-faar-du-mitid-flowchart.txt');
  }
  for (const [topic, { answers }] of Object.entries(content.followUps.topics)) {
    for (const [kind, answer] of Object.entries(answers)) if (answer) quoteMissing(`intents/follow-ups.yaml topics.${topic}.${kind}`, answer.source.quote, answer.source.file);
  }
  if (content.followUps.notInSources.source) quoteMissing('intents/follow-ups.yaml notInSources', content.followUps.notInSources.source);

  const training = new Map<string, string>();
  for (const intent of content.intents.intents.values()) for (const e of intent.examples) training.set(normalizeText(e), intent.id);
  for (const e of content.intents.outOfScope) training.set(normalizeText(e), 'none');
  const heldoutFile = path.join(root, 'test', 'eval', 'heldout.yaml');
  let heldout: z.output<typeof heldoutSchema>['utterances'] = [];
  try {
    heldout = loadYaml(heldoutFile, heldoutSchema).data.utterances;
  } catch (err) {
    if (!(err instanceof ContentError)) throw err;
    problems.push(err.message);
  }
  for (const u of heldout) {
    if (training.has(normalizeText(u.text))) problems.push(`test/eval/heldout.yaml: "${u.text}" står også i træningsdata / is also a training example`);
    if (u.intent !== 'none' && !content.intents.intents.has(u.intent as never)) problems.push(`test/eval/heldout.yaml: ukendt intent / unknown intent ${u.intent}`);
  }
  return { content, problems };
}
