import type { RecognizerResult } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { NONE_INTENT, type IntentId } from '../src/content/intents-content';
import type { Decision } from '../src/nlu/recognizer';
import { content, recognizer } from './helpers/bot-harness';

const { threshold, ambiguityMargin, ambiguousFloor } = content.classifier;

function scores(result: RecognizerResult): Array<[string, number]> {
  return Object.entries(result.intents).map(([intent, { score }]) => [intent, score ?? Number.NaN]);
}

function decided(text: string): Decision {
  return recognizer.decide(recognizer.recognize(text));
}

/** A hand-made RecognizerResult, scores best first as `recognize` returns them. */
function result(intents: Record<string, number>): RecognizerResult {
  return { text: 'x', intents: Object.fromEntries(Object.entries(intents).map(([k, score]) => [k, { score }])), entities: {} };
}

describe('recognize', () => {
  it('returns a RecognizerResult: the text, intents best first with scores between 0 and 1, entities', () => {
    const text = 'kan jeg beholde mit nemid';
    const got = recognizer.recognize(text);
    expect(got.text).toBe(text);
    expect(got.entities).toEqual({});
    const ranked = scores(got);
    expect(ranked.length).toBeGreaterThan(1);
    expect(ranked[0]![0]).toBe('keep_nemid');
    for (const [, score] of ranked) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    const values = ranked.map(([, score]) => score);
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });

  it.each(['hvornår lukker nemid', 'qwxzv plork', 'hvad bliver vejret i morgen i Odense', 'ja', 'MitID MitID MitID MitID'])(
    'scores for "%s" are all between 0 and 1, best first',
    (text) => {
      const values = scores(recognizer.recognize(text)).map(([, score]) => score);
      expect(values.length).toBeGreaterThan(0);
      expect(values.every((s) => s >= 0 && s <= 1)).toBe(true);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    },
  );

  it('a text with nothing left after normalisation is "none" with certainty', () => {
    for (const text of ['!!!', '   ', '?!.,', '👍']) {
      expect(recognizer.recognize(text).intents).toEqual({ [NONE_INTENT]: { score: 1 } });
      expect(decided(text).kind).toBe('none');
    }
  });

  it('gibberish is "none"', () => {
    expect(decided('qwxzv plork')).toEqual({ kind: 'none', score: expect.any(Number) });
    expect(recognizer.topIntent('qwxzv plork')).toBe(NONE_INTENT);
  });

  it('an out-of-scope question is "none"', () => {
    expect(decided('hvad bliver vejret i morgen i Odense').kind).toBe('none');
  });

  it('æ/ø/å and ae/oe/aa give exactly the same scores', () => {
    expect(recognizer.recognize('Kan jeg få MitID på Borgerservice?').intents).toEqual(
      recognizer.recognize('kan jeg faa mitid paa borgerservice').intents,
    );
    expect(recognizer.recognize('kodeoplæser').intents).toEqual(recognizer.recognize('KODEOPLAESER').intents);
  });
});

describe('topIntent', () => {
  it('"kan jeg beholde mit nemid" is keep_nemid', () => {
    expect(recognizer.topIntent('kan jeg beholde mit nemid')).toBe('keep_nemid');
  });

  it.each([
    ['hvornår lukker nemid', 'nemid_end_dates'],
    ['hvor kan jeg få hjælp?', 'get_help'],
    ['hvad er interessentforum?', 'stakeholder_forum'],
    ['jeg har ikke en smartphone, hvad gør jeg?', 'code_display'],
  ] as const)('"%s" is %s', (text, intent) => {
    expect(recognizer.topIntent(text)).toBe(intent);
  });
});

describe('typos and spelling without æ/ø/å still reach the right intent', () => {
  // Regression guards. "kodevisser" and "kodeoplaeser" are also training examples in
  // intents/faq.yaml; the others are not.
  it.each([
    ['kodevisser', 'code_display'],
    ['kodeoplaeser', 'code_display'],
    ['hjaelp til mitid', 'get_help'],
    ['borgerservise', 'borgerservice'],
    ['kodeoplæsser', 'code_display'],
    ['kode visser', 'code_display'],
    ['bestille kodevisser', 'code_display'],
    ['hvornår lukker nemit', 'nemid_end_dates'],
    ['kan jeg behole nemid', 'keep_nemid'],
    ['kan jeg beholde mit noeglekort', 'keep_nemid'],
    ['skal jeg identitetsikres', 'identity_check'],
    ['brugervenlihedstest', 'usability_testing'],
    ['udkoerende servise', 'cannot_visit_borgerservice'],
    ['kan jeg faa mitid paa borgerservise', 'borgerservice'],
    ['jeg har ingen smartfone', 'code_display'],
    ['ekstra mitd i reserve', 'spare_mitid'],
  ] as const satisfies ReadonlyArray<readonly [string, IntentId]>)('"%s" → %s', (text, intent) => {
    expect(decided(text)).toEqual({ kind: 'intent', intent, score: expect.any(Number) });
  });
});

describe('decide', () => {
  it('a clear winner above the threshold is that intent', () => {
    const best = Math.min(1, threshold + ambiguityMargin + 0.1);
    const second = Math.max(0, best - ambiguityMargin - 0.05);
    expect(recognizer.decide(result({ keep_nemid: best, nemid_end_dates: second }))).toEqual({ kind: 'intent', intent: 'keep_nemid', score: best });
  });

  it('two close intents above the floor are ambiguous, best first', () => {
    const best = Math.min(1, Math.max(threshold, ambiguousFloor) + ambiguityMargin);
    const second = best - ambiguityMargin / 2;
    expect(second).toBeGreaterThanOrEqual(ambiguousFloor);
    expect(recognizer.decide(result({ code_display: best, urgent_access: second }))).toEqual({
      kind: 'ambiguous',
      options: ['code_display', 'urgent_access'],
    });
  });

  it('a close second below the floor does not make it ambiguous', () => {
    const best = threshold + 0.01;
    const second = ambiguousFloor - 0.01;
    // Only meaningful while the two are within the margin.
    expect(best - second).toBeLessThan(ambiguityMargin);
    expect(recognizer.decide(result({ code_display: best, urgent_access: second }))).toEqual({ kind: 'intent', intent: 'code_display', score: best });
  });

  it('a lone best below the threshold is none', () => {
    const best = threshold - 0.01;
    expect(recognizer.decide(result({ keep_nemid: best }))).toEqual({ kind: 'none', score: best });
  });

  it('"none" on top, an unknown label on top, or no scores at all is none', () => {
    expect(recognizer.decide(result({ [NONE_INTENT]: 0.9, keep_nemid: 0.85 })).kind).toBe('none');
    expect(recognizer.decide(result({ not_an_intent: 0.9 })).kind).toBe('none');
    expect(recognizer.decide(result({})).kind).toBe('none');
  });

  it('a close second that is "none" does not make it ambiguous', () => {
    const best = Math.min(1, threshold + 0.1);
    expect(recognizer.decide(result({ keep_nemid: best, [NONE_INTENT]: best - 0.01 }))).toEqual({ kind: 'intent', intent: 'keep_nemid', score: best });
  });

  it('topIntent takes the better of two when ambiguous', () => {
    // Whatever text is ambiguous today: topIntent must be the first option.
    const candidates = ['mitid app eller kodeviser', 'mistet kodeviser', 'nemid', 'telefon', 'mitid i banken'];
    const ambiguous = candidates.map((text) => [text, decided(text)] as const).find(([, d]) => d.kind === 'ambiguous');
    if (!ambiguous || ambiguous[1].kind !== 'ambiguous') {
      throw new Error(`none of the candidates is ambiguous: ${candidates.map((t) => `${t} → ${JSON.stringify(decided(t))}`).join('; ')}`);
    }
    expect(recognizer.topIntent(ambiguous[0])).toBe(ambiguous[1].options[0]);
  });
});
