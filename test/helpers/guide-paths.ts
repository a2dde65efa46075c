import { pickDated } from '../../src/content/dated';
import type { GuideContent } from '../../src/content/guide-content';
import type { Content } from '../../src/content/load-content';
import { toReply, type Reply } from './bot-harness';
import { Replies } from '../../src/bot/replies';
import { fixedClock } from '../../src/clock';

/** One walk through the guide: the answers given and the boxes passed, in order. */
export interface GuidePath {
  /** e.g. "Q1-ja_Q2-nej_O3_Q6-ja_T2_Q4-ja_O5_TIP" */
  name: string;
  /** [question id, answer id] pairs in the order they are asked */
  answers: Array<[string, string]>;
  /** every edge passed, as "from>to" */
  edges: string[];
}

/** Every path through the guide on `day`, built from the content, so names cannot drift. */
export function allPaths(guide: GuideContent, day: string): GuidePath[] {
  const paths: GuidePath[] = [];
  const visit = (id: string, parts: string[], answers: Array<[string, string]>, edges: string[]) => {
    const node = guide.nodes[id]!;
    if (node.kind === 'question') {
      for (const [answer, to] of Object.entries(node.answers)) {
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

/**
 * What the bot should say, rendered from the content: the boxes from `from` up to the
 * next question (asked with its buttons), or to the end of the guide.
 */
export function expectedFrom(content: Content, from: string, day: string): Reply[] {
  const replies = new Replies(content, fixedClock(`${day}T12:00:00+01:00`));
  const out: Reply[] = [];
  let id: string | undefined = from;
  while (id !== undefined) {
    const node: GuideContent['nodes'][string] = content.guide.nodes[id]!;
    if (node.kind === 'question') {
      out.push(toReply(replies.question(node)));
      return out;
    }
    out.push(toReply(replies.plain(pickDated(node.text, day))));
    id = node.next ? pickDated(node.next, day) : undefined;
  }
  out.push(toReply(replies.message('guideEnd')));
  return out;
}
