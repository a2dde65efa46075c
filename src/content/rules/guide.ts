import { commonTarget, edgesOf, type GuideContent } from '../guide-content';
import type { Content } from '../load-content';
import { boundaryDays, canEndOn, guideDated, loopsWithoutQuestion, onDays, reachableOn } from './guide-days';
import { at, FILES, type Problem } from './problem';

type Found = (path: ReadonlyArray<string | number>, message: string) => void;

/** Where an edge is written: a question's answer, or a step's `next`. */
const edgePath = (id: string, answer?: string) => (answer === undefined ? ['nodes', id, 'next'] : ['nodes', id, 'answers', answer]);

/**
 * What a schema cannot see in dialogs/guide.yaml: every arrow points at a box, every answer is one
 * phrases.yaml knows, every box is reachable from the start and every path ends, on every day; a
 * question with nothing to decide on some day says why; plan conditions name real answers.
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
function checkGuideGraph(guide: GuideContent, answerIds: ReadonlySet<string>, found: Found): void {
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
  const days = boundaryDays(guideDated(guide));
  checkReachAndEnds(guide, days, found);
  checkSkipped(guide, days, found);
  checkPlans(guide, found);
}

/**
 * A person follows the arrows of the day they talk to the bot, so both rules hold day by day: each
 * box is reached on some day, and on every day each box reached then can still reach an end.
 */
function checkReachAndEnds(guide: GuideContent, days: readonly string[], found: Found): void {
  const reachable = days.map((day) => reachableOn(guide, day));
  const canEnd = days.map((day) => canEndOn(guide, day));
  for (const id of Object.keys(guide.nodes)) {
    if (!reachable.some((r) => r.has(id))) {
      found(['nodes', id], 'kan ikke nås fra start / is not reachable from start');
      continue;
    }
    const stuck = days.filter((_day, i) => reachable[i]!.has(id) && !canEnd[i]!.has(id));
    if (stuck.length === 0) continue;
    const loop = loopsWithoutQuestion(guide, id, stuck[0]!);
    const message = loop ? 'går i ring uden et spørgsmål / loops without a question' : 'fører aldrig til en afslutning / never leads to an end';
    found(loop ? ['nodes', id, 'next'] : ['nodes', id], `${message}${onDays(stuck, days)}`);
  }
}

/**
 * A question that some day has nothing to decide is skipped that day with a sentence saying why,
 * and a `skipped` sentence on a question that always has something to decide is never said.
 */
function checkSkipped(guide: GuideContent, days: readonly string[], found: Found): void {
  for (const [id, node] of Object.entries(guide.nodes)) {
    if (node.kind !== 'question') continue;
    const decided = days.filter((day) => commonTarget(node, day) !== undefined);
    if (!node.skipped && decided.length > 0) {
      found(['nodes', id], `alle svar fører samme sted hen${onDays(decided, days)}, så spørgsmålet skal have "skipped" / every answer leads to one box: give it "skipped"`);
    }
    if (node.skipped && decided.length === 0) {
      found(['nodes', id, 'skipped'], 'spørgsmålet springes aldrig over, så teksten siges aldrig / the question is never skipped, so the text is never said');
    }
  }
}

function checkPlans(guide: GuideContent, found: Found): void {
  for (const [id, node] of Object.entries(guide.nodes)) {
    if (node.kind === 'question' || !node.plan) continue;
    node.plan.forEach((variant, i) => {
      for (const [question, answer] of Object.entries<string>(variant.when ?? {})) {
        const asked = guide.nodes[question];
        // Own keys only: "constructor" is no answer, though every object has one.
        if (asked?.kind !== 'question' || !Object.hasOwn(asked.answers, answer)) {
          found(['nodes', id, 'plan', i, 'when', question], `${question}: ${answer} er ikke et svar i guiden / is not an answer in the guide`);
        }
      }
    });
  }
}
