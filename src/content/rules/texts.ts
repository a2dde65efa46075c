import type { Dated } from '../dated';
import type { Content } from '../load-content';
import { filledPlaceholders } from '../placeholders';
import { FILES } from './problem';

/** One text the bot can say or show, where it is written, and what rules about texts need to know of it. */
export interface Text {
  file: string;
  path: ReadonlyArray<string | number>;
  text: string;
  /** What the code fills in for this text (none: the text is said as it stands). */
  filled: readonly string[];
  /** A sentence said in the conversation, or a title, label or button (short names, not statements). */
  role: 'said' | 'name';
  /** The days it is in force, as a dated variant: from `from` (inclusive) until `until` (exclusive); unset is unbounded. */
  from?: string;
  until?: string;
  /** The guide box it belongs to: said only on days the box is reached (and, for `skipped`, skipped). */
  box?: { id: string; skipped?: boolean };
}

const NONE: readonly string[] = [];
type Place = Pick<Text, 'file' | 'path'> & Partial<Pick<Text, 'filled' | 'box'>>;

function plain(place: Place, text: string, role: Text['role'] = 'said'): Text {
  return { filled: NONE, ...place, text, role };
}

function dated(place: Place, value: Dated<string>): Text[] {
  const { variants } = value;
  // A plain text has one variant; a dated one is a list in the YAML, and each variant has its place there.
  return variants.map((v, i) => ({
    ...plain({ ...place, path: variants.length > 1 ? [...place.path, i, 'text'] : place.path }, v.value),
    ...(i > 0 ? { from: variants[i - 1]!.before! } : {}),
    ...(v.before !== undefined ? { until: v.before } : {}),
  }));
}

function buttons(file: string, path: ReadonlyArray<string | number>, titles: readonly string[] | undefined): Text[] {
  return (titles ?? []).map((text, i) => plain({ file, path: [...path, 'buttons', i] }, text, 'name'));
}

function guideTexts(content: Content): Text[] {
  const texts: Text[] = [];
  for (const [id, node] of Object.entries(content.guide.nodes)) {
    const at = (...path: Array<string | number>): Place => ({ file: FILES.guide, path: ['nodes', id, ...path], box: { id } });
    texts.push(plain(at('label'), node.label, 'name'), ...dated(at('text'), node.text));
    if (node.kind === 'question' && node.skipped) texts.push(plain({ ...at('skipped', 'text'), box: { id, skipped: true } }, node.skipped.text));
    if (node.kind !== 'question') (node.plan ?? []).forEach((step, i) => texts.push(plain(at('plan', i, 'text'), step.text)));
  }
  return texts;
}

function dialogTexts(content: Content): Text[] {
  const texts: Text[] = [];
  for (const [id, message] of Object.entries(content.messages)) {
    const filled = filledPlaceholders.messages[id as keyof typeof filledPlaceholders.messages] ?? NONE;
    texts.push(...dated({ file: FILES.messages, path: [id, 'text'], filled }, message.text), ...buttons(FILES.messages, [id], message.buttons));
  }
  for (const side of ['citizen', 'agent'] as const) {
    const table: Partial<Record<string, readonly string[]>> = filledPlaceholders[side];
    for (const [id, entry] of Object.entries(content.handoff[side])) {
      texts.push(plain({ file: FILES.handoff, path: [side, id, 'text'], filled: table[id] ?? NONE }, entry.text), ...buttons(FILES.handoff, [side, id], entry.buttons));
    }
  }
  return texts;
}

function intentTexts(content: Content): Text[] {
  const texts: Text[] = [];
  [...content.intents.intents.values()].forEach((intent, i) => {
    texts.push(plain({ file: FILES.faq, path: ['intents', i, 'title'] }, intent.title, 'name'), ...dated({ file: FILES.faq, path: ['intents', i, 'answer'] }, intent.answer));
  });
  const { kinds, notInSources, topics } = content.followUps;
  for (const [kind, { unknown }] of Object.entries(kinds)) texts.push(plain({ file: FILES.followUps, path: ['kinds', kind, 'unknown'] }, unknown));
  texts.push(plain({ file: FILES.followUps, path: ['notInSources', 'text'] }, notInSources.text), ...buttons(FILES.followUps, ['notInSources'], notInSources.buttons));
  for (const [topic, { answers }] of Object.entries(topics)) {
    for (const [kind, answer] of Object.entries(answers)) if (answer) texts.push(...dated({ file: FILES.followUps, path: ['topics', topic, 'answers', kind, 'text'] }, answer.text));
  }
  return texts;
}

/** Every text the bot can say or show, with what the code fills in for it and when it is said. */
export function textsOf(content: Content): Text[] {
  return [...guideTexts(content), ...dialogTexts(content), ...intentTexts(content)];
}
