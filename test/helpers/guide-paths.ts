import { pickDated } from '../../src/content/dated';
import { answerTarget, commonTarget, type GuideContent } from '../../src/content/guide-content';
import type { Content } from '../../src/content/load-content';
import { toReply, type Reply } from './bot-harness';
import { Replies } from '../../src/dialogs/replies';
import { fixedClock } from '../../src/clock';

/** One walk through the guide: the answers given and the boxes passed, in order. */
export interface GuidePath {
  /** e.g. "Q2-nej_O3_Q6-ja_T2_Q4-ja_O5_TIP" (a question skipped that day has no answer) */
  name: string;
  /** [question id, answer id] pairs in the order they are asked */
  answers: Array<[string, string]>;
  /** every edge passed, as "from>to" */
  edges: string[];
}

/** A question has nothing to ask on `day` when every answer leads to one box and it says why. */
function skippedOn(guide: GuideContent, id: string, day: string): string | undefined {
  const node = guide.nodes[id]!;
  return node.kind === 'question' && node.skipped ? commonTarget(node, day) : undefined;
}

/** Every path through the guide on `day`, built from the content, so names cannot drift. */
export function allPaths(guide: GuideContent, day: string): GuidePath[] {
  const paths: GuidePath[] = [];
  const visit = (id: string, parts: string[], answers: Array<[string, string]>, edges: string[]) => {
    const node = guide.nodes[id]!;
    if (node.kind === 'question') {
      const only = skippedOn(guide, id, day);
      if (only !== undefined) return visit(only, [...parts, id], answers, [...edges, `${id}>${only}`]);
      for (const answer of Object.keys(node.answers)) {
        const to = answerTarget(node, answer, day)!;
        visit(to, [...parts, `${id}-${answer}`], [...answers, [id, answer]], [...edges, `${id}>${to}`]);
      }
      return;
    }
    const next = node.next ? pickDated(node.next, day) : undefined;
    if (next === undefined) {
      paths.push({ name: [...parts, id].join('_'), answers, edges });
      return;
    }
    visit(next, [...parts, id], answers, [...edges, `${id}>${next}`]);
  };
  visit(guide.start, [], [], []);
  return paths;
}

/** The boxes (not questions) the guide passes from `from` up to the next question it asks that day, or the end. */
export function boxesFrom(content: Content, from: string, day: string): Array<[string]> {
  const boxes: Array<[string]> = [];
  let id: string | undefined = from;
  while (id !== undefined) {
    const node: GuideContent['nodes'][string] = content.guide.nodes[id]!;
    if (node.kind === 'question') {
      id = skippedOn(content.guide, id, day);
      continue;
    }
    boxes.push([id]);
    id = node.next ? pickDated(node.next, day) : undefined;
  }
  return boxes;
}

/**
 * What the bot should say, rendered from the content: the boxes from `from` up to the next
 * question that asks something that day (asked with its buttons; a skipped one says its
 * sentence), or to the end of the guide with the plan of the boxes passed (`passed` are the
 * boxes and answers before `from`).
 */
export function expectedFrom(content: Content, from: string, day: string, passed: Array<[string, string?]> = []): Reply[] {
  const replies = new Replies(content, fixedClock(`${day}T12:00:00+01:00`));
  const out: Reply[] = [];
  const boxes = [...passed];
  // A step's heading shares its message with the text after it, unless a question follows.
  let heading: string | undefined;
  const say = (text?: string) => {
    out.push(toReply(replies.plain([heading, text].filter((t) => t !== undefined).join('\n\n'))));
    heading = undefined;
  };
  let id: string | undefined = from;
  while (id !== undefined) {
    const node: GuideContent['nodes'][string] = content.guide.nodes[id]!;
    if (node.kind === 'question') {
      const only = skippedOn(content.guide, id, day);
      if (only === undefined) {
        if (heading !== undefined) say();
        out.push(toReply(replies.question(node)));
        return out;
      }
      say(node.skipped!.text);
      id = only;
      continue;
    }
    const text = pickDated(node.text, day);
    if (node.kind === 'step' && heading === undefined) heading = text;
    else say(text);
    boxes.push([id]);
    id = node.next ? pickDated(node.next, day) : undefined;
  }
  if (heading !== undefined) say();
  const answers = new Map(boxes.flatMap(([box, answer]) => (answer === undefined ? [] : [[box, answer] as const])));
  const steps = boxes.flatMap(([box]) => {
    const node = content.guide.nodes[box]!;
    if (node.kind === 'question' || !node.plan) return [];
    const variant = node.plan.find((v) => Object.entries(v.when ?? {}).every(([q, a]) => answers.get(q) === a));
    return variant ? [variant.text] : [];
  });
  out.push(toReply(steps.length > 0 ? replies.message('plan', { steps: steps.map((s, i) => `${i + 1}. ${s}`).join('\n') }) : replies.message('guideEnd')));
  return out;
}
