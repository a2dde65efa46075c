import { allDated, type Dated } from '../dated';
import type { Content } from '../load-content';
import { filledPlaceholders, placeholdersIn, strayBraces } from '../placeholders';
import { at, FILES, type Problem } from './problem';

interface Text {
  file: string;
  path: ReadonlyArray<string | number>;
  text: string;
  /** What the code fills in for this text (none: the text is said as it stands). */
  filled: readonly string[];
}

const NONE: readonly string[] = [];

function dated(file: string, path: ReadonlyArray<string | number>, value: Dated<string>, filled = NONE): Text[] {
  const variants = allDated(value);
  // A plain text has one variant; a dated one is a list in the YAML, and each variant has its place there.
  return variants.map((text, i) => ({ file, path: variants.length > 1 ? [...path, i, 'text'] : path, text, filled }));
}

function buttons(file: string, path: ReadonlyArray<string | number>, titles: readonly string[] | undefined): Text[] {
  return (titles ?? []).map((text, i) => ({ file, path: [...path, 'buttons', i], text, filled: NONE }));
}

/** Every text the bot can say or show, with what the code fills in for it. */
function textsOf(content: Content): Text[] {
  const texts: Text[] = [];
  for (const [id, node] of Object.entries(content.guide.nodes)) {
    texts.push({ file: FILES.guide, path: ['nodes', id, 'label'], text: node.label, filled: NONE }, ...dated(FILES.guide, ['nodes', id, 'text'], node.text));
    if (node.kind === 'question' && node.skipped) texts.push({ file: FILES.guide, path: ['nodes', id, 'skipped', 'text'], text: node.skipped.text, filled: NONE });
    if (node.kind !== 'question') (node.plan ?? []).forEach((step, i) => texts.push({ file: FILES.guide, path: ['nodes', id, 'plan', i, 'text'], text: step.text, filled: NONE }));
  }
  for (const [id, message] of Object.entries(content.messages)) {
    const filled = filledPlaceholders.messages[id as keyof typeof filledPlaceholders.messages];
    texts.push(...dated(FILES.messages, [id, 'text'], message.text, filled), ...buttons(FILES.messages, [id], message.buttons));
  }
  for (const side of ['citizen', 'agent'] as const) {
    const table: Partial<Record<string, readonly string[]>> = filledPlaceholders[side];
    for (const [id, entry] of Object.entries(content.handoff[side])) {
      texts.push({ file: FILES.handoff, path: [side, id, 'text'], text: entry.text, filled: table[id] ?? NONE }, ...buttons(FILES.handoff, [side, id], entry.buttons));
    }
  }
  [...content.intents.intents.values()].forEach((intent, i) => {
    texts.push({ file: FILES.faq, path: ['intents', i, 'title'], text: intent.title, filled: NONE }, ...dated(FILES.faq, ['intents', i, 'answer'], intent.answer));
  });
  const { kinds, notInSources, topics } = content.followUps;
  for (const [kind, { unknown }] of Object.entries(kinds)) texts.push({ file: FILES.followUps, path: ['kinds', kind, 'unknown'], text: unknown, filled: NONE });
  texts.push({ file: FILES.followUps, path: ['notInSources', 'text'], text: notInSources.text, filled: NONE }, ...buttons(FILES.followUps, ['notInSources'], notInSources.buttons));
  for (const [topic, { answers }] of Object.entries(topics)) {
    for (const [kind, answer] of Object.entries(answers)) if (answer) texts.push(...dated(FILES.followUps, ['topics', topic, 'answers', kind, 'text'], answer.text));
  }
  return texts;
}

/**
 * A text uses only the placeholders the code fills in for it (src/content/placeholders.ts), so no
 * "{caseId}" is ever said as it stands; and every brace belongs to a placeholder.
 */
export function placeholderRules(content: Content): Problem[] {
  const problems: Problem[] = [];
  for (const { file, path, text, filled } of textsOf(content)) {
    for (const name of new Set(placeholdersIn(text))) {
      if (filled.includes(name)) continue;
      const known = filled.length > 0 ? filled.map((n) => `{${n}}`).join(', ') : undefined;
      problems.push(
        at(file, path, known
          ? `{${name}} bliver ikke udfyldt; koden udfylder kun ${known} / {${name}} is not filled in; the code fills only ${known}`
          : `{${name}} bliver ikke udfyldt: teksten siges, som den står / {${name}} is not filled in: the text is said as it stands`),
      );
    }
    if (strayBraces(text)) problems.push(at(file, path, 'en klamme { } uden pladsholder, fx "{caseId" / a brace that is no placeholder, e.g. "{caseId"'));
  }
  return problems;
}
