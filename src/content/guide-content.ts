import { z } from 'zod';
import { allDated, datedSchema, pickDated, type Dated } from './dated';

const nodeId = z.string().regex(/^[A-Z][A-Z0-9]*$/, 'node-id skal være fx Q1 eller TIP / node id must look like Q1 or TIP');
const text = z.string().trim().min(1);

const common = {
  label: text,
  text: datedSchema(text, 'text'),
  source: text.optional(),
};

/** One step of the personal plan at the end: said when every answer in `when` was given. */
const planVariant = z
  .object({
    when: z.record(nodeId, z.string().regex(/^[a-z_]+$/)).optional(),
    text,
  })
  .strict();

type PlanVariantShape = { when?: Record<string, string>; text: string };

const stepOrOutcome = z
  .object({
    kind: z.enum(['step', 'outcome']),
    ...common,
    next: datedSchema(nodeId, 'to').optional(),
    plan: z.union([text.transform((t): PlanVariantShape[] => [{ text: t }]), z.array(planVariant).min(1)]).optional(),
    topic: z.string().regex(/^[a-z_]+$/).optional(),
  })
  .strict();

const question = z
  .object({
    kind: z.literal('question'),
    ...common,
    about: z.array(text).default([]),
    answers: z.record(z.string(), datedSchema(nodeId, 'to')).refine((a) => Object.keys(a).length >= 2, 'mindst to svar / at least two answers'),
    skipped: z.object({ text, source: text.optional() }).strict().optional(),
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
  if (node.kind === 'question') {
    return Object.entries(node.answers).flatMap(([answer, dated]) => allDated(dated).map((to) => ({ answer, to, ...(dated.variants.length > 1 ? { dated } : {}) })));
  }
  if (!node.next) return [];
  return allDated(node.next).map((to) => ({ to, dated: node.next }));
}

/** Where an answer to a question leads on `today`. */
export function answerTarget(node: QuestionNode, answer: string, today: string): string | undefined {
  const dated = node.answers[answer];
  return dated ? pickDated(dated, today) : undefined;
}

/**
 * The box every answer of a question leads to on `today`, when they all lead to the same one:
 * the question has nothing left to decide that day (since NemID closed, every answer to
 * "Skal du identitetssikres?" leads to the passport question), so the guide does not ask it.
 */
export function commonTarget(node: QuestionNode, today: string): string | undefined {
  const targets = new Set(Object.keys(node.answers).map((answer) => answerTarget(node, answer, today)));
  return targets.size === 1 ? [...targets][0] : undefined;
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

  // A question that some day has nothing to decide is skipped that day with a sentence saying why.
  for (const [id, node] of Object.entries(guide.nodes)) {
    if (node.kind !== 'question' || node.skipped) continue;
    const days = Object.values(node.answers).flatMap((dated) => dated.variants.map((v) => v.before).filter((d): d is string => d !== undefined));
    for (const day of ['0000-01-01', ...days]) {
      if (commonTarget(node, day) !== undefined) problems.push(`${id}: alle svar fører samme sted hen fra ${day}, så spørgsmålet skal have "skipped" / every answer leads to one box from ${day}: give it "skipped"`);
    }
  }
  for (const [id, node] of Object.entries(guide.nodes)) {
    if (node.kind === 'question' || !node.plan) continue;
    for (const variant of node.plan) {
      for (const [question, answer] of Object.entries<string>(variant.when ?? {})) {
        const asked = guide.nodes[question];
        if (asked?.kind !== 'question' || !(answer in asked.answers)) problems.push(`${id}: plan.when ${question}: ${answer} er ikke et svar i guiden / is not an answer in the guide`);
      }
    }
  }

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
