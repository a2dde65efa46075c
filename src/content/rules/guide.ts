import { allDated } from '../dated';
import { commonTarget, edgesOf, type GuideContent, type GuideNode } from '../guide-content';
import type { Content } from '../load-content';
import { at, FILES, type Problem } from './problem';

type Found = (path: ReadonlyArray<string | number>, message: string) => void;

/** Where an edge is written: a question's answer, or a step's `next`. */
const edgePath = (id: string, answer?: string) => (answer === undefined ? ['nodes', id, 'next'] : ['nodes', id, 'answers', answer]);

/**
 * What a schema cannot see in dialogs/guide.yaml: every arrow points at a box, every answer is one
 * phrases.yaml knows, every box is reachable from the start and every path ends; a question with
 * nothing to decide on some day says why; plan conditions name real answers; no loop lacks a question.
 */
export function guideRules(content: Content): Problem[] {
  const problems: Problem[] = [];
  const found: Found = (path, message) => problems.push(at(FILES.guide, path, message));
  checkGuideGraph(content.guide, new Set(Object.keys(content.phrases.answers)), found);
  for (const [id, node] of Object.entries(content.guide.nodes)) {
    // Every box tells the person what to do, and the flowchart is what it may say.
    if (!node.source) found(['nodes', id, 'source'], 'boksen mangler sin kilde / the box names no source');
    if (node.kind !== 'question' && node.topic && !content.intents.intents.has(node.topic as never)) {
      found(['nodes', id, 'topic'], `${node.topic} er ikke et intent i ${FILES.faq} / is not an intent in ${FILES.faq}`);
    }
  }
  return problems;
}

/** The graph rules; reports each problem through `found` with its path in guide.yaml. */
export function checkGuideGraph(guide: GuideContent, answerIds: ReadonlySet<string>, found: Found): void {
  const ids = new Set(Object.keys(guide.nodes));
  let dangling = !ids.has(guide.start);
  if (dangling) found(['start'], `"${guide.start}" findes ikke / does not exist`);
  for (const [id, node] of Object.entries(guide.nodes)) {
    for (const edge of edgesOf(node)) {
      if (!ids.has(edge.to)) {
        found(edgePath(id, edge.answer), `fører til "${edge.to}", som ikke findes / leads to "${edge.to}", which does not exist`);
        dangling = true;
      }
      if (edge.answer !== undefined && !answerIds.has(edge.answer)) {
        found(edgePath(id, edge.answer), `svaret "${edge.answer}" står ikke i ${FILES.phrases} / answer not in ${FILES.phrases}`);
      }
    }
  }
  // Reachability and ends are only meaningful once every arrow lands on a box.
  if (dangling) return;
  checkReachAndEnds(guide, found);
  checkSkipped(guide, found);
  checkPlans(guide, found);
  checkStepLoops(guide, found);
}

function checkReachAndEnds(guide: GuideContent, found: Found): void {
  const reachable = new Set<string>();
  const queue = [guide.start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const edge of edgesOf(guide.nodes[id]!)) queue.push(edge.to);
  }
  const nodes = Object.entries(guide.nodes);
  for (const [id] of nodes) if (!reachable.has(id)) found(['nodes', id], 'kan ikke nås fra start / is not reachable from start');

  // A box "can end" when some chain of arrows reaches a box without a next.
  const canEnd = new Set(nodes.filter(([, n]) => edgesOf(n).length === 0).map(([id]) => id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, node] of nodes) {
      if (canEnd.has(id) || !edgesOf(node).some((e) => canEnd.has(e.to))) continue;
      canEnd.add(id);
      grew = true;
    }
  }
  for (const [id] of nodes) if (!canEnd.has(id)) found(['nodes', id], 'fører aldrig til en afslutning / never leads to an end');
}

// A question that some day has nothing to decide is skipped that day with a sentence saying why.
function checkSkipped(guide: GuideContent, found: Found): void {
  for (const [id, node] of Object.entries(guide.nodes)) {
    if (node.kind !== 'question' || node.skipped) continue;
    const days = Object.values(node.answers).flatMap((dated) => dated.variants.map((v) => v.before).filter((d): d is string => d !== undefined));
    for (const day of ['0000-01-01', ...days]) {
      if (commonTarget(node, day) !== undefined) {
        found(['nodes', id], `alle svar fører samme sted hen fra ${day}, så spørgsmålet skal have "skipped" / every answer leads to one box from ${day}: give it "skipped"`);
      }
    }
  }
}

function checkPlans(guide: GuideContent, found: Found): void {
  for (const [id, node] of Object.entries(guide.nodes)) {
    if (node.kind === 'question' || !node.plan) continue;
    node.plan.forEach((variant, i) => {
      for (const [question, answer] of Object.entries<string>(variant.when ?? {})) {
        const asked = guide.nodes[question];
        if (asked?.kind !== 'question' || !(answer in asked.answers)) {
          found(['nodes', id, 'plan', i, 'when', question], `${question}: ${answer} er ikke et svar i guiden / is not an answer in the guide`);
        }
      }
    });
  }
}

// Steps and outcomes chain without asking anything; a loop among them would never stop.
function checkStepLoops(guide: GuideContent, found: Found): void {
  for (const id of Object.keys(guide.nodes)) {
    const seen = new Set<string>();
    for (let current: string | undefined = id; current !== undefined; ) {
      const node: GuideNode = guide.nodes[current]!;
      if (node.kind === 'question') break;
      if (seen.has(current)) {
        found(['nodes', id, 'next'], 'løkke uden spørgsmål / loop without a question');
        break;
      }
      seen.add(current);
      const nexts: string[] = node.next ? allDated(node.next) : [];
      current = nexts.find((n) => guide.nodes[n]?.kind !== 'question');
    }
  }
}
