import { describe, expect, it } from 'vitest';
import { letterGrams } from '../src/nlu/features';
import { LinearModel } from '../src/nlu/linear-model';

const documents = [
  ['hvordan får jeg en kodeviser', 'code'],
  ['bestil kodeviser', 'code'],
  ['kodeviser til min mor', 'code'],
  ['kan jeg beholde nemid', 'keep'],
  ['skal jeg beholde mit nøglekort', 'keep'],
  ['må jeg beholde nemid', 'keep'],
].map(([text, label]) => ({ features: [...letterGrams(text!, 3, 5)], label: label! }));
const options = { epochs: 10, learningRate: 1, l2: 0.0001 };

describe('LinearModel', () => {
  const model = new LinearModel({ documents, options });
  const best = (m: LinearModel, text: string) => {
    const scores = m.scores(letterGrams(text, 3, 5));
    return m.labels[scores.indexOf(Math.max(...scores))];
  };

  it('learns the labels of its examples and reads a misspelt word by its letters', () => {
    expect(best(model, 'bestil kodeviser')).toBe('code');
    expect(best(model, 'kodevisser')).toBe('code');
    expect(best(model, 'beholde nemid')).toBe('keep');
    const scores = model.scores(letterGrams('kodeviser', 3, 5));
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('gives the same scores restored from its tables, and the same model trained twice', () => {
    const restored = new LinearModel({ tables: JSON.parse(JSON.stringify(model.tables())) });
    const again = new LinearModel({ documents, options });
    for (const text of ['kodeviser', 'nemid', 'noget helt andet']) {
      expect(Array.from(restored.scores(letterGrams(text, 3, 5)))).toEqual(Array.from(model.scores(letterGrams(text, 3, 5))));
      expect(Array.from(again.scores(letterGrams(text, 3, 5)))).toEqual(Array.from(model.scores(letterGrams(text, 3, 5))));
    }
  });

  it('has no opinion on letters it never saw: the scores are the learnt base rates', () => {
    const unseen = model.scores(['qqq', 'xyz']);
    const none = model.scores([]);
    expect(Array.from(unseen)).toEqual(Array.from(none));
  });
});

describe('letterGrams', () => {
  it('pads each word and reads æ, "ae" and a plain "a" alike', () => {
    expect([...letterGrams('id', 3, 4)]).toEqual([' id', 'id ', ' id ']);
    expect([...letterGrams('hjælp', 3, 5)]).toEqual([...letterGrams('hjaelp', 3, 5)]);
    expect([...letterGrams('hjælp', 3, 5)]).toEqual([...letterGrams('hjalp', 3, 5)]);
  });
});
