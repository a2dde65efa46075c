import { describe, expect, it } from 'vitest';
import { FollowUpReader } from '../src/bot/follow-ups';
import { pickDated } from '../src/content/dated';
import type { FollowUpKind } from '../src/content/follow-ups';
import { loadContent } from '../src/content/load-content';
import type { IntentId } from '../src/content/intents-content';
import { tokenize } from '../src/text/normalize';

const content = loadContent();
const reader = new FollowUpReader(content);
const { topics } = content.followUps;

/** What intents/follow-ups.yaml says about `kind` for `topic`, as the reader returns it. */
const known = (topic: IntentId, kind: FollowUpKind) => topics[topic]?.answers[kind]?.text;

describe('FollowUpReader.read with a remembered topic', () => {
  it('"hvor lang tid tager det så?" after code_display gives the known duration text', () => {
    const followUp = reader.read('hvor lang tid tager det så?', 'code_display');
    expect(followUp).toEqual({ kind: 'duration', topic: 'code_display', known: known('code_display', 'duration') });
    expect(pickDated(followUp!.known!, '2026-11-21')).toMatch(/7-15 hverdage/);
  });

  it('"og hvad koster det?" after code_display is a price follow-up without a known text', () => {
    expect(known('code_display', 'price')).toBeUndefined();
    expect(reader.read('og hvad koster det?', 'code_display')).toEqual({ kind: 'price', topic: 'code_display' });
  });

  it.each([
    ['hvad skal jeg tage med?', 'borgerservice', 'bring'],
    ['hvor skal jeg henvende mig?', 'get_help', 'where'],
    ['Leveringstiden?', 'urgent_access', 'duration'],
    ['hvad skal jeg have med', 'create_with_nemid', 'bring'],
  ] as const)('"%s" after %s is %s with the text from the content', (text, topic, kind) => {
    expect(known(topic, kind)).toBeDefined();
    expect(reader.read(text, topic)).toEqual({ kind, topic, known: known(topic, kind) });
  });

  it('a known text may depend on the day: the reader gives it dated, all variants kept', () => {
    const followUp = reader.read('hvad skal jeg have med', 'create_with_nemid');
    expect(followUp?.known?.variants.length).toBeGreaterThan(1);
    expect(pickDated(followUp!.known!, '2021-06-01')).not.toBe(pickDated(followUp!.known!, '2026-11-21'));
  });

  it('a topic without anything on that kind gives the kind and topic alone', () => {
    expect(known('borgerservice', 'duration')).toBeUndefined();
    expect(reader.read('hvor lang tid tager det så?', 'borgerservice')).toEqual({ kind: 'duration', topic: 'borgerservice' });
  });
});

describe('FollowUpReader.read: a topic named in the message', () => {
  it('wins over the remembered one: "hvad skal jeg have med til borgerservice" after code_display', () => {
    expect(topics.borgerservice!.words).toContain('borgerservice');
    expect(reader.read('hvad skal jeg have med til borgerservice', 'code_display')).toEqual({
      kind: 'bring',
      topic: 'borgerservice',
      known: known('borgerservice', 'bring'),
    });
  });

  it('is enough without a remembered topic', () => {
    expect(reader.read('hvad skal jeg have med til borgerservice', undefined)).toEqual({ kind: 'bring', topic: 'borgerservice', known: known('borgerservice', 'bring') });
    expect(reader.read('hvad koster en kodeviser?', undefined)).toEqual({ kind: 'price', topic: 'code_display' });
  });

  it('is read by its stem: "kodeviseren" names code_display', () => {
    expect(reader.read('hvor lang tid tager det med kodeviseren?', 'borgerservice')).toEqual({
      kind: 'duration',
      topic: 'code_display',
      known: known('code_display', 'duration'),
    });
  });
});

describe('FollowUpReader.read: messages that are no follow-up', () => {
  it('a message naming another subject: "hvor lang tid kan jeg bruge nemid"', () => {
    expect(reader.read('hvor lang tid kan jeg bruge nemid', 'code_display')).toBeUndefined();
    expect(reader.read('hvor lang tid kan jeg bruge nemid', undefined)).toBeUndefined();
  });

  it.each(['hej', 'tak for hjælpen', 'kan jeg beholde mit NemID?', 'ja', ''])('"%s" asks no kind of follow-up', (text) => {
    expect(reader.read(text, 'code_display')).toBeUndefined();
  });

  it('long messages are not follow-ups, even of fillers and a kind only', () => {
    const short = 'og hvad koster det så egentlig';
    const long = 'og hvad koster det så egentlig for mig hvis jeg nu skal have det';
    // Nothing in the long one names a subject: it is refused for its length alone.
    const allowed = new Set([...content.followUps.fillers, 'koster']);
    expect(tokenize(long).every((word) => allowed.has(word))).toBe(true);
    expect(tokenize(long).length).toBeGreaterThan(12);
    expect(reader.read(short, 'code_display')).toEqual({ kind: 'price', topic: 'code_display' });
    expect(reader.read(long, 'code_display')).toBeUndefined();
  });
});

describe('FollowUpReader.read without a topic', () => {
  it.each([
    ['og hvad koster det?', 'price'],
    ['er det gratis?', 'price'],
    ['hvad er telefonnummeret?', 'phone'],
    ['kan jeg ringe til dem?', 'phone'],
    ['hvornår har de åbent?', 'hours'],
  ] as const)('"%s" is taken (%s is never in the sources)', (text, kind) => {
    expect(reader.read(text, undefined)).toEqual({ kind });
  });

  it.each([
    ['hvor lang tid tager det så?', 'duration'],
    ['hvad skal jeg tage med?', 'bring'],
    ['hvor skal jeg henvende mig?', 'where'],
  ])('"%s" (%s) is left to the classifier', (text) => {
    expect(reader.read(text, undefined)).toBeUndefined();
  });
});
