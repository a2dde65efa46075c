import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { guideToMermaid } from '../src/content/mermaid';
import { withDiagram } from '../scripts/flow-diagram';
import { content } from './helpers/bot-harness';

describe('the flow as a picture', () => {
  const diagram = guideToMermaid(content.guide, content.phrases, content.labels);

  it('README.md shows the diagram generated from dialogs/guide.yaml (run `npm run diagram` if this fails)', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(withDiagram(readme, diagram)).toBe(readme);
  });

  it('draws every box and every arrow, with Danish answer labels and dated arrows', () => {
    for (const id of Object.keys(content.guide.nodes)) expect(diagram).toMatch(new RegExp(`^  ${id}[\\[{]`, 'm'));
    expect(diagram).toContain('Q1 -- "Ja" --> Q2');
    expect(diagram).toContain('Q1 -. "Ved ikke, før 30.06.2023" .-> O0');
    expect(diagram).toContain('Q1 -. "Ved ikke, fra 30.06.2023" .-> Q2');
    expect(diagram).toContain('O0 --> Q0');
  });

  it('changes when the guide changes', () => {
    const edited = structuredClone(content.guide);
    const q4 = edited.nodes.Q4!;
    if (q4.kind !== 'question') throw new Error('Q4 must be a question');
    q4.answers.nej = { variants: [{ value: 'O7' }] };
    expect(guideToMermaid(edited, content.phrases, content.labels)).not.toBe(diagram);
  });
});
