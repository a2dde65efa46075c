import type { PorterStemmerNo as PorterStemmerNoType } from 'natural/lib/natural/stemmers';
import { tokenize } from '../text/normalize';
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
  'jo', 'da', 'nok', 'vel', 'mon', 'hvis', 'eller', 'men', 'fra', 'efter', 'ud', 'op',
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
      const padded = `<${word}>`;
      for (let at = 0; at + options.charNgrams <= padded.length; at++) features.add(`c:${padded.slice(at, at + options.charNgrams)}`);
    }
  });
  return features;
}
