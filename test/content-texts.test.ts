import { describe, expect, it } from 'vitest';
import { ContentTexts } from '../src/content/content-texts';
import { allDated, pickDated, type Dated } from '../src/content/dated';
import { loadContent } from '../src/content/load-content';

const content = loadContent();
const texts = new ContentTexts(content);

/** Before NemID closed (twice), between the two closing dates, and today's. */
const DAYS = ['2021-06-01', '2022-06-01', '2022-12-01', '2026-11-21'];

const hasPlaceholder = (dated: Dated<string>) => allDated(dated).some((v) => /\{[a-zA-Z]+\}/.test(v));

/** Every fixed text of the content with where it comes from, read from the content itself. */
const guideTexts = Object.entries(content.guide.nodes).map(([id, node]) => [`guide ${id}`, node.text] as const);
const skippedTexts = Object.entries(content.guide.nodes).flatMap(([id, node]) =>
  node.kind === 'question' && node.skipped ? [[`skipped ${id}`, { variants: [{ value: node.skipped.text }] }] as const] : [],
);
const messageTexts = Object.entries(content.messages).map(([id, message]) => [`message ${id}`, message.text] as const);
const faqAnswers = [...content.intents.intents].map(([id, intent]) => [`answer ${id}`, intent.answer] as const);
const followUpAnswers = Object.entries(content.followUps.topics).flatMap(([topic, { answers }]) =>
  Object.entries(answers).flatMap(([kind, answer]) => (answer ? [[`follow-up ${topic}.${kind}`, answer.text] as const] : [])),
);
const handoffTexts = Object.entries(content.handoff.citizen).map(([id, entry]) => [`handoff ${id}`, { variants: [{ value: entry.text }] }] as const);

function expectRoundTrip(dated: Dated<string>): void {
  for (const day of DAYS) {
    const text = pickDated(dated, day);
    const name = texts.nameOf(text);
    expect(name, `${day}: ${text}`).toBeDefined();
    expect(texts.textOf(name!, day)).toBe(text);
  }
}

describe('ContentTexts: nameOf → textOf gives the text back', () => {
  it.each(guideTexts)('%s', (_, dated) => expectRoundTrip(dated));
  it.each(skippedTexts)('%s', (_, dated) => expectRoundTrip(dated));
  it.each(messageTexts.filter(([, dated]) => !hasPlaceholder(dated)))('%s', (_, dated) => expectRoundTrip(dated));
  it.each(faqAnswers.filter(([, dated]) => !hasPlaceholder(dated)))('%s', (_, dated) => expectRoundTrip(dated));
  it.each(followUpAnswers)('%s', (_, dated) => expectRoundTrip(dated));
  it.each(handoffTexts.filter(([, dated]) => !hasPlaceholder(dated)))('%s', (_, dated) => expectRoundTrip(dated));

  it('the content has dated texts, and each comes back in the variant of the day', () => {
    const dated = [...guideTexts, ...messageTexts, ...faqAnswers, ...followUpAnswers].filter(([, d]) => d.variants.length > 1 && !hasPlaceholder(d));
    expect(dated.length).toBeGreaterThan(0);
    for (const [label, d] of dated) {
      const name = texts.nameOf(pickDated(d, DAYS[0]!))!;
      for (const day of DAYS) expect(texts.textOf(name, day), `${label} on ${day}`).toBe(pickDated(d, day));
    }
  });

  it('names say what kind of text they stand for', () => {
    expect(texts.nameOf(pickDated(content.guide.nodes.Q2!.text, DAYS[3]!))).toBe('g:Q2');
    expect(texts.nameOf(pickDated(content.messages.whatHelp.text, DAYS[3]!))).toBe('m:whatHelp');
    expect(texts.nameOf(pickDated(content.intents.intents.get('keep_nemid')!.answer, DAYS[3]!))).toBe('a:keep_nemid');
    expect(texts.nameOf(pickDated(content.followUps.topics.code_display!.answers.duration!.text, DAYS[3]!))).toBe('f:code_display.duration');
  });
});

describe('ContentTexts: joined texts', () => {
  const heading = pickDated(content.guide.nodes.T1!.text, DAYS[3]!);
  const skipped = content.guide.nodes.Q1!.kind === 'question' ? content.guide.nodes.Q1!.skipped!.text : '';
  const question = pickDated(content.guide.nodes.Q2!.text, DAYS[3]!);

  it('texts joined by a blank line get a joined name and come back', () => {
    const joined = `${heading}\n\n${skipped}`;
    expect(texts.nameOf(joined)).toBe('g:T1+s:Q1');
    expect(texts.textOf('g:T1+s:Q1', DAYS[3]!)).toBe(joined);
    const three = `${heading}\n\n${skipped}\n\n${question}`;
    expect(texts.textOf(texts.nameOf(three)!, DAYS[3]!)).toBe(three);
  });

  it('a joined text with a dated part comes back in the variants of the day', () => {
    const dated = faqAnswers.find(([, d]) => d.variants.length > 1 && !hasPlaceholder(d))![1];
    for (const day of DAYS) {
      const joined = `${heading}\n\n${pickDated(dated, day)}`;
      const name = texts.nameOf(joined);
      expect(name, day).toMatch(/^g:T1\+a:/);
      expect(texts.textOf(name!, day)).toBe(joined);
    }
  });

  it('a joined text with one part the content does not hold has no name', () => {
    expect(texts.nameOf(`${heading}\n\nDet her har jeg selv skrevet.`)).toBeUndefined();
    expect(texts.nameOf(`${heading}\n\n`)).toBeUndefined();
  });

  it('texts joined otherwise than by a blank line have no name', () => {
    expect(texts.nameOf(`${heading}\n${question}`)).toBeUndefined();
    expect(texts.nameOf(`${heading} ${question}`)).toBeUndefined();
  });
});

describe('ContentTexts: texts without a name', () => {
  it('every text with a placeholder is left out, filled in or not', () => {
    const withPlaceholders = [...messageTexts, ...handoffTexts, ...faqAnswers].filter(([, d]) => hasPlaceholder(d));
    expect(withPlaceholders.length).toBeGreaterThan(0);
    for (const [label, dated] of withPlaceholders) {
      for (const value of allDated(dated)) {
        expect(texts.nameOf(value), label).toBeUndefined();
        expect(texts.nameOf(value.replace(/\{[a-zA-Z]+\}/g, '2000')), label).toBeUndefined();
      }
    }
  });

  it('the retry and tooLong messages, as said with their placeholders filled, have no name', () => {
    const retry = pickDated(content.messages.retry.text, DAYS[3]!).replace('{choices}', 'Ja, Nej eller Ved ikke');
    const tooLong = pickDated(content.messages.tooLong.text, DAYS[3]!).replace('{max}', '2000');
    expect(texts.nameOf(retry)).toBeUndefined();
    expect(texts.nameOf(tooLong)).toBeUndefined();
  });

  it('unknown text, a changed text and the empty text have no name', () => {
    const welcome = pickDated(content.messages.welcome.text, DAYS[3]!);
    expect(texts.nameOf('Det her står ikke i indholdet.')).toBeUndefined();
    expect(texts.nameOf(`${welcome} `)).toBeUndefined();
    expect(texts.nameOf(welcome.toUpperCase())).toBeUndefined();
    expect(texts.nameOf('')).toBeUndefined();
  });

  it('an unknown name gives undefined', () => {
    for (const name of ['g:NOPE', 'm:nothing', 'a:unknown_intent', 'x:Q2', 'Q2', '', 'g:T1+g:NOPE', 'g:T1+']) {
      expect(texts.textOf(name, DAYS[3]!), name).toBeUndefined();
    }
  });

  it('a name for a text with placeholders gives undefined', () => {
    expect(texts.textOf('m:retry', DAYS[3]!)).toBeUndefined();
    expect(texts.textOf('m:plan', DAYS[3]!)).toBeUndefined();
  });
});
