import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { allDated } from '../src/content/dated';
import { checkGuideGraph } from '../src/content/guide-content';
import { ContentError, defaultContentRoot, loadContent } from '../src/content/load-content';
import { PhraseMatcher } from '../src/text/phrase-matcher';
import { PINNED_DAYS, content } from './helpers/bot-harness';
import { allPaths } from './helpers/guide-paths';

const root = defaultContentRoot();
const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
const flowchartSource = collapse(readFileSync(path.join(root, 'intents/sources/saadan-faar-du-mitid-flowchart.txt'), 'utf8'));
const faqSource = collapse(readFileSync(path.join(root, 'intents/sources/fra-nemid-til-mitid.txt'), 'utf8'));

describe('content is true to the sources', () => {
  it.each(Object.entries(content.guide.nodes).filter(([, n]) => n.source))('guide box %s quotes the flowchart', (_id, node) => {
    expect(flowchartSource).toContain(collapse(node.source!));
  });

  it.each(Object.entries(content.messages).filter(([, m]) => m.source))('message %s quotes a source', (_id, message) => {
    const quote = collapse(message.source!);
    expect(flowchartSource.includes(quote) || faqSource.includes(quote)).toBe(true);
  });

  it('every box that tells the person what to do names its source', () => {
    const missing = Object.entries(content.guide.nodes).filter(([, n]) => !n.source).map(([id]) => id);
    expect(missing).toEqual([]);
  });

  it('after 30 June 2023 no text the bot can say tells people to use NemID', () => {
    const todays = (variants: ReadonlyArray<{ before?: string; value: string }>) => variants[variants.length - 1]!.value;
    // Boxes reached on some path today (the rest are only reached before NemID closed).
    const reached = new Set(allPaths(content.guide, PINNED_DAYS.after).flatMap((p) => p.edges.flatMap((e) => e.split('>'))));
    expect(reached.size).toBeGreaterThan(10);
    const texts = [
      ...Object.entries(content.guide.nodes).filter(([id]) => reached.has(id)).map(([, n]) => todays(n.text.variants)),
      ...Object.values(content.messages).map((m) => todays(m.text.variants)),
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/ved hjælp af dit NemID|NemID kan stadig|lukker endeligt/);
    }
  });
});

describe('guide graph checks', () => {
  const answers = new Set(Object.keys(content.phrases.answers));
  it('the shipped guide is sound', () => {
    expect(checkGuideGraph(content.guide, answers)).toEqual([]);
  });

  it('finds a dangling arrow, an unknown answer, an unreachable box and a loop without a question', () => {
    const guide = structuredClone(content.guide);
    const q2 = guide.nodes.Q2!;
    if (q2.kind !== 'question') throw new Error('Q2 must be a question');
    q2.answers = { ja: { variants: [{ value: 'NOWHERE' }] }, maybe: { variants: [{ value: 'O3' }] } };
    expect(checkGuideGraph(guide, answers)).toEqual(
      expect.arrayContaining([expect.stringContaining('Q2 → "NOWHERE"'), expect.stringContaining('svaret "maybe"')]),
    );

    const lonely = structuredClone(content.guide);
    lonely.nodes.X1 = { kind: 'outcome', label: 'x', text: { variants: [{ value: 'x' }] } };
    expect(checkGuideGraph(lonely, answers)).toEqual([expect.stringContaining('X1 kan ikke nås')]);

    const loop = structuredClone(content.guide);
    const tip = loop.nodes.TIP!;
    if (tip.kind === 'question') throw new Error('TIP must not be a question');
    loop.nodes.TIP = { ...tip, next: { variants: [{ value: 'O5' }] } };
    expect(checkGuideGraph(loop, answers).join('\n')).toMatch(/fører aldrig til en afslutning|løkke uden spørgsmål/);
  });
});

describe('content files are validated when loaded', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function copyWith(file: string, edit: (data: Record<string, unknown>) => void): string {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-content-'));
    mkdirSync(path.join(dir, 'dialogs'));
    cpSync(path.join(root, 'dialogs'), path.join(dir, 'dialogs'), { recursive: true });
    cpSync(path.join(root, 'intents'), path.join(dir, 'intents'), { recursive: true });
    const target = path.join(dir, 'dialogs', file);
    const data = parse(readFileSync(target, 'utf8')) as Record<string, unknown>;
    edit(data);
    writeFileSync(target, stringify(data));
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
    expect(() => loadContent(where)).toThrow(/O2 → "T9" findes ikke/);
  });

  it('invalid YAML is reported as such', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-content-'));
    cpSync(path.join(root, 'dialogs'), path.join(dir, 'dialogs'), { recursive: true });
    cpSync(path.join(root, 'intents'), path.join(dir, 'intents'), { recursive: true });
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

describe('phrases', () => {
  it('no phrase stands under two answers or two commands', () => {
    const seen = new Map<string, string>();
    const entries = [
      ...Object.entries(content.phrases.answers).flatMap(([id, a]) => [a.label, ...a.phrases].map((p) => [`answer ${id}`, p] as const)),
      ...Object.entries(content.phrases.commands).flatMap(([id, list]) => list.map((p) => [`command ${id}`, p] as const)),
    ];
    const clashes: string[] = [];
    for (const [owner, phrase] of entries) {
      const key = phrase.toLowerCase();
      const before = seen.get(key);
      if (before && before !== owner) clashes.push(`${phrase}: ${before} / ${owner}`);
      seen.set(key, owner);
    }
    expect(clashes).toEqual([]);
  });

  it('every button title in messages.yaml is a command phrase', () => {
    const matcher = new PhraseMatcher(content.phrases.commands, { shortPhraseWords: 2, fillers: content.phrases.fillers });
    const titles = Object.values(content.messages).flatMap((m) => m.buttons ?? []);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(matcher.match(title), title).toBeDefined();
  });

  it('every dated text variant is non-empty on every day', () => {
    for (const message of Object.values(content.messages)) for (const text of allDated(message.text)) expect(text.length).toBeGreaterThan(5);
  });
});

describe('npm run content:check', () => {
  it('finds every quote in the sources and no held-out sentence among the training examples', async () => {
    const { checkContent } = await import('../src/content/check-content');
    expect(checkContent(root).problems).toEqual([]);
  });
});

describe('intent titles and commands do not collide', () => {
  // A tapped title is read as a command first; that is only right where both mean the same.
  const sameMeaning: Record<string, string> = { human_agent: 'human', restart: 'restart', mitid_optional: 'opt_out' };

  it('an intent title (a button people tap) is a command only where both mean the same', () => {
    const matcher = new PhraseMatcher(content.phrases.commands, { shortPhraseWords: 2, fillers: content.phrases.fillers });
    const clashes = [...content.intents.intents.values()]
      .map((i) => ({ id: i.id, command: matcher.match(i.title)?.key }))
      .filter(({ id, command }) => command !== undefined && sameMeaning[id] !== command);
    expect(clashes).toEqual([]);
  });
});
