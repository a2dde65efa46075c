import { z } from 'zod';
import { allDated, datedSchema, type Dated } from './dated';

const nodeId = z.string().regex(/^[A-Z][A-Z0-9]*$/, 'node-id skal være fx Q1 eller TIP / node id must look like Q1 or TIP');
const text = z.string().trim().min(1);

const common = {
  label: text,
  text: datedSchema(text, 'text'),
  source: text.optional(),
};

const stepOrOutcome = z
  .object({
    kind: z.enum(['step', 'outcome']),
    ...common,
    next: datedSchema(nodeId, 'to').optional(),
  })
  .strict();

const question = z
  .object({
    kind: z.literal('question'),
    ...common,
    answers: z.record(z.string(), nodeId).refine((a) => Object.keys(a).length >= 2, 'mindst to svar / at least two answers'),
  })
  .strict();

const guideNode = z.discriminatedUnion('kind', [stepOrOutcome, question]);

export const guideSchema = z
  .object({
    start: nodeId,
    nodes: z.record(nodeId, guideNode),
  })
  .strict();

export type GuideContent = z.output<typeof guideSchema>;
export type GuideNode = z.output<typeof guideNode>;
export type QuestionNode = Extract<GuideNode, { kind: 'question' }>;

/** Node ids a node can lead to, on any date, with the answer that leads there (if any). */
export function edgesOf(node: GuideNode): Array<{ to: string; answer?: string; dated?: Dated<string> }> {
  if (node.kind === 'question') return Object.entries(node.answers).map(([answer, to]) => ({ answer, to }));
  if (!node.next) return [];
  return allDated(node.next).map((to) => ({ to, dated: node.next }));
}

/**
 * Checks what a schema cannot: every reference points at a node, every answer is a known
 * answer id, every node is reachable from the start, and every path can reach an end.
 * Returns the problems found (empty when the guide is sound).
 */
export function checkGuideGraph(guide: GuideContent, answerIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const ids = new Set(Object.keys(guide.nodes));
  if (!ids.has(guide.start)) problems.push(`start "${guide.start}" findes ikke / does not exist`);

  for (const [id, node] of Object.entries(guide.nodes)) {
    for (const edge of edgesOf(node)) {
      if (!ids.has(edge.to)) problems.push(`${id} → "${edge.to}" findes ikke / does not exist`);
      if (edge.answer !== undefined && !answerIds.has(edge.answer)) {
        problems.push(`${id}: svaret "${edge.answer}" står ikke i phrases.yaml / answer not in phrases.yaml`);
      }
    }
  }
  if (problems.length > 0) return problems;

  const reachable = new Set<string>();
  const queue = [guide.start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const edge of edgesOf(guide.nodes[id]!)) queue.push(edge.to);
  }
  for (const id of ids) if (!reachable.has(id)) problems.push(`${id} kan ikke nås fra start / is not reachable from start`);

  // A node "can end" when some chain of edges reaches a node without a next.
  const canEnd = new Set<string>(Object.entries(guide.nodes).filter(([, n]) => edgesOf(n).length === 0).map(([id]) => id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, node] of Object.entries(guide.nodes)) {
      if (!canEnd.has(id) && edgesOf(node).some((e) => canEnd.has(e.to))) {
        canEnd.add(id);
        grew = true;
      }
    }
  }
  for (const id of ids) if (!canEnd.has(id)) problems.push(`${id} fører aldrig til en afslutning / never leads to an end`);

  // Steps and outcomes chain without asking anything; a loop among them would never stop.
  for (const id of ids) {
    const seen = new Set<string>();
    let current: string | undefined = id;
    while (current !== undefined) {
      const node: GuideNode = guide.nodes[current]!;
      if (node.kind === 'question') break;
      if (seen.has(current)) {
        problems.push(`${id}: løkke uden spørgsmål / loop without a question`);
        break;
      }
      seen.add(current);
      const nexts: string[] = node.next ? allDated(node.next) : [];
      current = nexts.find((n) => guide.nodes[n]?.kind !== 'question');
    }
  }
  return problems;
}
