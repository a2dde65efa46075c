import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allDated } from '../src/content/dated';
import { ContentError, loadContent } from '../src/content/load-content';
import { content } from './helpers/bot-harness';
import { copyContentRoot, editYaml } from './helpers/broken-content';

// Each file against its schema, as loadContent reads it; the rules across files are in validate-content.test.ts.
describe('content files are validated when loaded', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function copyWith(file: string, edit: (data: Record<string, unknown>) => void): string {
    dir = copyContentRoot();
    editYaml(dir, path.join('dialogs', file), edit);
    return dir;
  }

  it('a missing message names the file and the key', () => {
    const where = copyWith('messages.yaml', (d) => delete d.welcome);
    expect(() => loadContent(where)).toThrow(ContentError);
    expect(() => loadContent(where)).toThrow(/messages\.yaml:\n {2}welcome:/);
  });

  it('dated variants out of order are refused', () => {
    const where = copyWith('messages.yaml', (d) => {
      (d.optOut as { text: unknown[] }).text.reverse();
    });
    expect(() => loadContent(where)).toThrow(/optOut\.text/);
  });

  it('a guide arrow to a box that does not exist is refused at load', () => {
    const where = copyWith('guide.yaml', (d) => {
      ((d.nodes as Record<string, { next?: string }>).O2!).next = 'T9';
    });
    expect(() => loadContent(where)).toThrow(/^dialogs\/guide\.yaml: nodes\.O2\.next: fører til "T9", som ikke findes/);
  });

  it('invalid YAML is reported as such', () => {
    dir = copyContentRoot();
    writeFileSync(path.join(dir, 'dialogs', 'phrases.yaml'), 'answers: [unclosed');
    expect(() => loadContent(dir)).toThrow(/ugyldig YAML/);
  });

  it('the guide version changes when the guide changes, and only then', () => {
    const same = copyWith('messages.yaml', (d) => {
      (d.help as { text: string }).text = 'Ny hjælpetekst';
    });
    expect(loadContent(same).guideVersion).toBe(content.guideVersion);
    rmSync(same, { recursive: true, force: true });
    const changed = copyWith('guide.yaml', (d) => {
      ((d.nodes as Record<string, { text: string }>).Q4!).text = 'Har du en smartphone?';
    });
    expect(loadContent(changed).guideVersion).not.toBe(content.guideVersion);
  });
});

describe('messages', () => {
  it('every dated text variant is non-empty on every day', () => {
    for (const message of Object.values(content.messages)) for (const text of allDated(message.text)) expect(text.length).toBeGreaterThan(5);
  });
});
