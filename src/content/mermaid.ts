import type { Dated } from './dated';
import type { GuideContent, GuideNode } from './guide-content';
import type { Labels } from './labels';
import { fill } from './placeholders';
import type { PhrasesContent } from './phrases';

function quote(text: string): string {
  return `"${text.replace(/\*\*/g, '').replace(/"/g, '#quot;')}"`;
}

function shape(id: string, node: GuideNode): string {
  // A question's first sentence keeps the boxes readable; outcomes show their short label.
  const title = node.kind === 'question' ? `${id}: ${firstVariant(node.text).split(/(?<=\?)\s/)[0]}` : `${id}: ${node.label}`;
  return node.kind === 'question' ? `${id}{${quote(title)}}` : `${id}[${quote(title)}]`;
}

function firstVariant(dated: Dated<string>): string {
  return dated.variants[0]!.value;
}

function day(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/** Labels for dated arrows: "før 30.06.2023", "fra 30.06.2023" (and "fra … til …" between), as dialogs/labels.yaml words them. */
function datedLabels(dated: Dated<string>, words: Labels['diagram']): Array<{ to: string; label?: string }> {
  if (dated.variants.length === 1) return [{ to: dated.variants[0]!.value }];
  return dated.variants.map((variant, i) => {
    const from = dated.variants[i - 1]?.before;
    const until = variant.before;
    const label = from && until ? fill(words.between, { from: day(from), until: day(until) }) : until ? fill(words.before, { date: day(until) }) : fill(words.from, { date: day(from!) });
    return { to: variant.value, label };
  });
}

/** The guide as a Mermaid flowchart, drawn from the same data the dialog runs on. */
export function guideToMermaid(guide: GuideContent, phrases: PhrasesContent, labels: Labels): string {
  const lines = ['flowchart TD'];
  for (const [id, node] of Object.entries(guide.nodes)) lines.push(`  ${shape(id, node)}`);
  for (const [id, node] of Object.entries(guide.nodes)) {
    if (node.kind === 'question') {
      for (const [answer, dated] of Object.entries(node.answers)) {
        const label = phrases.answers[answer]?.label ?? answer;
        for (const edge of datedLabels(dated, labels.diagram)) {
          lines.push(edge.label ? `  ${id} -. ${quote(`${label}, ${edge.label}`)} .-> ${edge.to}` : `  ${id} -- ${quote(label)} --> ${edge.to}`);
        }
      }
    } else if (node.next) {
      for (const edge of datedLabels(node.next, labels.diagram)) {
        lines.push(edge.label ? `  ${id} -. ${quote(edge.label)} .-> ${edge.to}` : `  ${id} --> ${edge.to}`);
      }
    }
  }
  return lines.join('\n');
}
