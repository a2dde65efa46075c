import { newStemmer } from 'snowball-stemmers';

// natural has no Danish stemmer; Snowball's Danish one was chosen for the classifier by measured
// accuracy (`npm run eval -- --grid`), and phrase matching uses the same one so that "hjælpe",
// "hjælper" and "hjælp" meet.
const danish = newStemmer('danish');
const cache = new Map<string, string>();
// Bounded so that a flood of made-up words cannot grow memory without end.
const CACHE_LIMIT = 50_000;

/** Folds "ae/oe/aa" back to "æ/ø/å" for the stemmer, whose suffix rules are written for Danish letters. */
function toDanishLetters(token: string): string {
  return token.replace(/aa/g, 'å').replace(/oe/g, 'ø').replace(/ae/g, 'æ');
}

/** The Danish Snowball stem of a normalised token ("hjaelpe" → "hjælp"). */
export function danishStem(token: string): string {
  const cached = cache.get(token);
  if (cached !== undefined) return cached;
  const stemmed = danish.stem(toDanishLetters(token));
  if (cache.size < CACHE_LIMIT) cache.set(token, stemmed);
  return stemmed;
}
