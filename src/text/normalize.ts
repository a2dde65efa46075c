/**
 * Text normalisation shared by everything that matches what people type:
 * answers to the guide's questions, commands and (later) the intent classifier.
 *
 * People write "ae", "oe", "aa" when their keyboard has no æ/ø/å, so both spellings
 * are folded onto the ASCII form: "kodeoplæser" and "kodeoplaeser" become the same token.
 */

const DANISH_TO_ASCII: Readonly<Record<string, string>> = { æ: 'ae', ø: 'oe', å: 'aa', ä: 'ae', ö: 'oe' };
const DANISH_LETTERS = /[æøåäö]/g;

const NON_ASCII = /[^\x00-\x7f]/;

// A turn normalises the same message five or six times (commands, answers, titles, the
// classifier), and most messages are the same few texts: recent results are kept.
const recent = new Map<string, string>();
const RECENT_TEXTS = 2000;
const LONGEST_KEPT = 500;

/** Lower-cases, folds æ/ø/å to ae/oe/aa, strips accents, punctuation and emoji, and collapses spaces. */
export function normalizeText(input: string): string {
  const known = recent.get(input);
  if (known !== undefined) return known;
  const normalized = normalizeAfresh(input);
  if (input.length <= LONGEST_KEPT) {
    if (recent.size >= RECENT_TEXTS) recent.delete(recent.keys().next().value!);
    recent.set(input, normalized);
  }
  return normalized;
}

function normalizeAfresh(input: string): string {
  let text = input.toLowerCase();
  text = text.replace(DANISH_LETTERS, (letter) => DANISH_TO_ASCII[letter]!);
  // Accents only need stripping when there are letters beyond ASCII; most messages have none.
  if (NON_ASCII.test(text)) text = text.normalize('NFKD').replace(/\p{M}+/gu, '');
  return text.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Splits normalised text into word tokens. */
export function tokenize(input: string): string[] {
  const normalized = normalizeText(input);
  return normalized.length === 0 ? [] : normalized.split(' ');
}
