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
