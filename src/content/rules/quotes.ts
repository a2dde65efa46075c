import { sourceFiles, type SourceFile } from '../intents-content';
import type { Content } from '../load-content';
import { collapseSpace, type ContentSources } from '../sources';
import { at, excerpt, FILES, type Problem } from './problem';

const FLOWCHART: SourceFile = 'saadan-faar-du-mitid-flowchart.txt';

/**
 * Every `source` quote stands word for word (spaces aside) in the source it names, or in one of the
 * sources when it names none: a fact the bot says must be traceable to what was published.
 */
export function quoteRules(content: Content, sources: ContentSources): Problem[] {
  const problems: Problem[] = [];
  const all = [...sources.values()];
  const check = (file: string, path: ReadonlyArray<string | number>, quote: string | undefined, from?: string) => {
    if (quote === undefined) return;
    const wanted = collapseSpace(quote);
    if (from !== undefined && !sources.has(from as SourceFile)) {
      problems.push(at(file, [...path.slice(0, -1), 'file'], `kilden ${from} findes ikke; kendte kilder / unknown source; known sources: ${sourceFiles.join(', ')}`));
      return;
    }
    const found = from !== undefined ? sources.get(from as SourceFile)!.includes(wanted) : all.some((text) => text.includes(wanted));
    if (!found) problems.push(at(file, path, `citatet står ikke i ${from ?? 'kilderne'} / quote not in source: ${excerpt(quote)}`));
  };

  for (const [id, node] of Object.entries(content.guide.nodes)) {
    check(FILES.guide, ['nodes', id, 'source'], node.source, FLOWCHART);
    if (node.kind === 'question') check(FILES.guide, ['nodes', id, 'skipped', 'source'], node.skipped?.source, FLOWCHART);
  }
  for (const [id, message] of Object.entries(content.messages)) check(FILES.messages, [id, 'source'], message.source);
  for (const side of ['citizen', 'agent'] as const) {
    for (const [id, entry] of Object.entries(content.handoff[side])) check(FILES.handoff, [side, id, 'source'], entry.source);
  }
  for (const [name, template] of Object.entries(content.handoff.templates)) {
    check(FILES.handoff, ['templates', name, 'source'], template.source);
  }
  [...content.intents.intents.values()].forEach((intent, i) => {
    intent.sources.forEach((source, j) => check(FILES.faq, ['intents', i, 'sources', j, 'quote'], source.quote, source.file));
  });
  for (const [topic, { answers }] of Object.entries(content.followUps.topics)) {
    for (const [kind, answer] of Object.entries(answers)) {
      if (answer) check(FILES.followUps, ['topics', topic, 'answers', kind, 'source', 'quote'], answer.source.quote, answer.source.file);
    }
  }
  check(FILES.followUps, ['notInSources', 'source'], content.followUps.notInSources.source);
  return problems;
}
