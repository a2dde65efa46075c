import { normalizeText } from '../text/normalize';

// Shorter words are too alike to correct ("pas", "par", "paa").
const SHORTEST = 5;
const DIGIT = /\d/;

/** `word` with each one letter left out. */
function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/**
 * Mends a misspelt word to the training word one slip away ("kdoeviser" → "kodeviser",
 * "telwfon" → "telefon"): a letter swapped, dropped, doubled or hit beside. Words are met by
 * their one-letter deletions (as SymSpell does), so a word is looked up, not compared with
 * every word known. Only words the examples never use are touched, and only when one known
 * word is nearest (the most used one where several are).
 */
export class Speller {
  private readonly counts = new Map<string, number>();
  private readonly byDeletion = new Map<string, string[]>();

  constructor(texts: Iterable<string>) {
    for (const text of texts) {
      for (const word of normalizeText(text).split(' ')) if (word) this.counts.set(word, (this.counts.get(word) ?? 0) + 1);
    }
    for (const word of this.counts.keys()) {
      if (word.length < SHORTEST - 1) continue;
      for (const key of [word, ...deletions(word)]) {
        const list = this.byDeletion.get(key);
        if (list) list.push(word);
        else this.byDeletion.set(key, [word]);
      }
    }
  }

  /** The normalised text with its unknown words mended where one known word is one slip away. */
  correct(text: string): string {
    const words = normalizeText(text).split(' ');
    let changed = false;
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      if (word.length < SHORTEST || this.counts.has(word) || DIGIT.test(word)) continue;
      const mended = this.nearest(word);
      if (mended) {
        words[i] = mended;
        changed = true;
      }
    }
    return changed ? words.join(' ') : text;
  }

  private nearest(word: string): string | undefined {
    let best: string | undefined;
    let bestCount = 0;
    for (const key of [word, ...deletions(word)]) {
      for (const candidate of this.byDeletion.get(key) ?? []) {
        const count = this.counts.get(candidate)!;
        if (count > bestCount && Math.abs(candidate.length - word.length) <= 1) {
          best = candidate;
          bestCount = count;
        }
      }
    }
    return best;
  }
}
