/**
 * Text normalisation shared by everything that matches what people type:
 * answers to the guide's questions, commands and (later) the intent classifier.
 *
 * People write "ae", "oe", "aa" when their keyboard has no æ/ø/å, so both spellings
 * are folded onto the ASCII form: "kodeoplæser" and "kodeoplaeser" become the same token.
 */

const DANISH_TO_ASCII: ReadonlyArray<[RegExp, string]> = [
  [/æ/g, 'ae'],
  [/ø/g, 'oe'],
  [/å/g, 'aa'],
  [/ä/g, 'ae'],
  [/ö/g, 'oe'],
];

/** Lower-cases, folds æ/ø/å to ae/oe/aa, strips accents, punctuation and emoji, and collapses spaces. */
export function normalizeText(input: string): string {
  let text = input.toLocaleLowerCase('da-DK');
  for (const [pattern, replacement] of DANISH_TO_ASCII) text = text.replace(pattern, replacement);
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Splits normalised text into word tokens. */
export function tokenize(input: string): string[] {
  const normalized = normalizeText(input);
  return normalized.length === 0 ? [] : normalized.split(' ');
}
