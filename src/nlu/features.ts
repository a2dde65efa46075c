import type { PorterStemmerNo as PorterStemmerNoType } from 'natural/lib/natural/stemmers';
import { normalizeText, tokenize } from '../text/normalize';
import { danishStem } from '../text/stem';

// natural has no Danish stemmer; its Norwegian one is the nearest it has and is compared
// with Snowball's Danish one by cross-validation (`npm run eval -- --grid`).
// It is loaded only when chosen: natural's stemmers index loads every language, with
// dictionaries, which cost start-up time and memory for a stemmer the settings do not use.
const stemmers: Record<'snowball' | 'porter-no', { stem(token: string): string }> = {
  snowball: { stem: danishStem },
  get 'porter-no'() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const porter = require('natural/lib/natural/stemmers/porter_stemmer_no') as typeof PorterStemmerNoType;
    return { stem: (token: string) => porter.stem(toDanishLetters(token)) };
  },
};

// Short words that say nothing about what a person wants. "hvordan", "hvornår", "ikke"
// and "kan" stay: they separate "how do I get" from "when" and "can I keep".
const STOP_WORDS = new Set([
  'jeg', 'du', 'man', 'vi', 'de', 'den', 'det', 'der', 'en', 'et', 'at', 'og', 'i', 'paa', 'til', 'med', 'for', 'af',
  'om', 'er', 'var', 'som', 'saa', 'lige', 'bare', 'nu', 'mig', 'min', 'mit', 'mine', 'dig', 'din', 'dit', 'sig',
  'jo', 'da', 'nok', 'vel', 'mon', 'eller', 'men', 'fra', 'efter', 'ud', 'op',
]);

/** How text becomes features; the choices were made by measured accuracy (`npm run eval`). */
export interface FeatureOptions {
  stemming: keyof typeof stemmers | 'none';
  dropStopWords: boolean;
  bigrams: boolean;
  /** Character n-gram length for typo tolerance; 0 turns them off. */
  charNgrams: number;
}

export const DEFAULT_FEATURES: FeatureOptions = { stemming: 'snowball', dropStopWords: true, bigrams: true, charNgrams: 4 };

/** Folds "ae/oe/aa" back to "æ/ø/å" for natural's Norwegian stemmer. */
function toDanishLetters(token: string): string {
  return token.replace(/aa/g, 'å').replace(/oe/g, 'ø').replace(/ae/g, 'æ');
}

// Stems carry æ/ø/å (the stemmer's rules are written for them); a stem from ASCII may carry "ae".
const ASCII_VOWELS = /æ|ø|å|aa|ae|oe/g;
const PLAIN_VOWEL: Readonly<Record<string, string>> = { æ: 'a', ø: 'o', å: 'a', aa: 'a', ae: 'a', oe: 'o' };

const stemCache = new Map<string, string>();

function stem(token: string, options: FeatureOptions): string {
  if (options.stemming === 'none') return token;
  const key = `${options.stemming}:${token}`;
  const cached = stemCache.get(key);
  if (cached !== undefined) return cached;
  const stemmed = stemmers[options.stemming].stem(token);
  // Bounded so that a flood of made-up words cannot grow memory without end.
  if (stemCache.size < 50_000) stemCache.set(key, stemmed);
  return stemmed;
}

/** The words of a text that carry meaning, stemmed. */
export function stems(text: string, options: FeatureOptions = DEFAULT_FEATURES): string[] {
  const tokens = tokenize(text);
  const kept = options.dropStopWords ? tokens.filter((t) => !STOP_WORDS.has(t)) : tokens;
  return (kept.length > 0 ? kept : tokens).map((t) => stem(t, options));
}

// "ae", "aa" and "oe" read as the plain vowel, as in the letter triples above.
const FOLDED_VOWELS = /aa|ae|oe/g;

/**
 * Letter n-grams of each word of the normalised text, `min` to `max` long, the word padded with
 * spaces so that its start and end count ("mitid" gives " mi", "id ", …). Stems are not used:
 * the n-grams of a misspelt or inflected word still meet those of the word it stands for.
 */
export function letterGrams(text: string, min: number, max: number): Set<string> {
  const grams = new Set<string>();
  for (const word of gramWords(text)) for (const gram of wordGrams(word, min, max)) grams.add(gram);
  return grams;
}

/** The words {@link letterGrams} reads: normalised, with "ae", "aa" and "oe" folded. */
export function gramWords(text: string): string[] {
  return normalizeText(text)
    .replace(FOLDED_VOWELS, (pair) => pair[0]!)
    .split(' ')
    .filter((w) => w !== '');
}

/** The letter n-grams of one word of {@link gramWords}. */
export function wordGrams(word: string, min: number, max: number): string[] {
  const padded = ` ${word} `;
  const grams: string[] = [];
  for (let n = min; n <= max; n++) for (let at = 0; at + n <= padded.length; at++) grams.push(padded.slice(at, at + n));
  return grams;
}

/**
 * The features of a text, as a set: stems ("s:"), neighbouring stem pairs ("b:") and
 * character n-grams of each stem ("c:"), which let "kodevisser" meet "kodeviser".
 */
export function textFeatures(text: string, options: FeatureOptions = DEFAULT_FEATURES): Set<string> {
  const words = stems(text, options);
  const features = new Set<string>();
  words.forEach((word, i) => {
    features.add(`s:${word}`);
    if (options.bigrams && i > 0) features.add(`b:${words[i - 1]}_${word}`);
    if (options.charNgrams > 0) {
      // People without æ/ø/å type "ae" or a plain "a" ("hjælp", "hjaelp", "hjalp"): the letter
      // triples are read from a form where both meet.
      const padded = `<${word.replace(ASCII_VOWELS, (vowel) => PLAIN_VOWEL[vowel]!)}>`;
      for (let at = 0; at + options.charNgrams <= padded.length; at++) features.add(`c:${padded.slice(at, at + options.charNgrams)}`);
    }
  });
  return features;
}
