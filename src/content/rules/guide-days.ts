import { pickDated, type Dated } from '../dated';
import { answerTarget, edgesOf, type GuideContent, type GuideNode } from '../guide-content';

/** The first day of all: a rule that holds on every day is checked on this one and the boundaries. */
export const FIRST_DAY = '0000-01-01';

/**
 * The days on which something dated may change, first day first. Between two of them every dated
 * value keeps its variant, so a rule checked on each of these days holds on every day.
 */
export function boundaryDays(dated: Iterable<Dated<unknown>>, extra: readonly string[] = []): string[] {
  const days = new Set([FIRST_DAY, ...extra]);
  for (const value of dated) for (const v of value.variants) if (v.before !== undefined) days.add(v.before);
  return [...days].sort();
}

/** Every dated value of the guide: texts and arrows. */
export function guideDated(guide: GuideContent): Array<Dated<string>> {
  return Object.values(guide.nodes).flatMap((node) => [node.text, ...edgesOf(node).flatMap((e) => (e.dated ? [e.dated] : []))]);
}

/** The boxes a box leads to on `day`. */
export function nextOn(node: GuideNode, day: string): string[] {
  if (node.kind === 'question') return Object.keys(node.answers).map((answer) => answerTarget(node, answer, day)!);
  return node.next ? [pickDated(node.next, day)] : [];
}

/** The boxes a person can reach on `day`, from the start, by that day's arrows. */
export function reachableOn(guide: GuideContent, day: string): Set<string> {
  const reached = new Set<string>();
  const queue = [guide.start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reached.has(id) || !guide.nodes[id]) continue;
    reached.add(id);
    queue.push(...nextOn(guide.nodes[id]!, day));
  }
  return reached;
}

/** The boxes from which some chain of `day`'s arrows reaches a box with nowhere to go. */
export function canEndOn(guide: GuideContent, day: string): Set<string> {
  const nodes = Object.entries(guide.nodes);
  const canEnd = new Set(nodes.filter(([, n]) => nextOn(n, day).length === 0).map(([id]) => id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, node] of nodes) {
      if (canEnd.has(id) || !nextOn(node, day).some((to) => canEnd.has(to))) continue;
      canEnd.add(id);
      grew = true;
    }
  }
  return canEnd;
}

/** Whether `day`'s arrows lead from step `id` through steps and outcomes alone back to it. */
export function loopsWithoutQuestion(guide: GuideContent, id: string, day: string): boolean {
  const seen = new Set<string>();
  for (let current: string | undefined = id; current !== undefined && !seen.has(current); ) {
    const node: GuideNode | undefined = guide.nodes[current];
    if (!node || node.kind === 'question') return false;
    seen.add(current);
    current = nextOn(node, day)[0];
    if (current === id) return true;
  }
  return false;
}

/**
 * The days (of `days`) on which a problem holds, in words for its message: nothing when it holds
 * on all of them, otherwise from the first such day (or before the first day it stops holding).
 */
export function onDays(holds: readonly string[], days: readonly string[]): string {
  if (holds.length === days.length) return '';
  const first = holds[0]!;
  if (first !== FIRST_DAY) return ` (fra ${first} / from ${first})`;
  const stops = days.find((d) => !holds.includes(d))!;
  return ` (før ${stops} / before ${stops})`;
}
