/**
 * Held-out utterances dressed as people write them, made by code from a fixed seed so that
 * every run measures the same sentences: a polite preamble, a sign-off, æ/ø/å typed as ASCII,
 * typos in every long word, and everything in lower case without punctuation.
 */
import { z } from 'zod';

export const dressingSchema = z.object({ preambles: z.array(z.string().min(1)).min(1), signOffs: z.array(z.string().min(1)).min(1) }).strict();
export type Dressing = z.output<typeof dressingSchema>;

export const variantNames = ['preamble', 'sign-off', 'ascii', 'typos', 'lowercase'] as const;
export type VariantName = (typeof variantNames)[number];

/** A small seeded generator (mulberry32): the same text always gets the same dressing. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string, salt: string): number {
  let hash = 2166136261;
  for (const ch of `${salt}\u0000${text}`) hash = Math.imul(hash ^ ch.codePointAt(0)!, 16777619);
  return hash >>> 0;
}

const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)]!;

/** The question as it ends a sentence: capitalised, with a question mark unless it has an ending. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toLocaleUpperCase('da-DK') + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}?`;
}

// Neighbours on a Danish keyboard, for a slipped finger.
const KEYBOARD_ROWS = ['qwertyuiopå', 'asdfghjklæø', 'zxcvbnm'];
function neighbours(letter: string): string[] {
  for (const row of KEYBOARD_ROWS) {
    const at = row.indexOf(letter);
    if (at >= 0) return [row[at - 1], row[at + 1]].filter((c): c is string => c !== undefined);
  }
  return [];
}

/** One typo in a word: two letters swapped, one dropped, one doubled or one hit beside. */
function typo(word: string, next: () => number): string {
  const at = 1 + Math.floor(next() * (word.length - 2));
  switch (Math.floor(next() * 4)) {
    case 0:
      return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
    case 1:
      return word.slice(0, at) + word.slice(at + 1);
    case 2:
      return word.slice(0, at) + word[at] + word.slice(at);
    default: {
      const near = neighbours(word[at]!.toLowerCase());
      return near.length > 0 ? word.slice(0, at) + pick(near, next) + word.slice(at + 1) : word.slice(0, at) + word.slice(at + 1);
    }
  }
}

const ASCII: Record<string, [string, string]> = { æ: ['ae', 'a'], ø: ['oe', 'o'], å: ['aa', 'a'], Æ: ['Ae', 'A'], Ø: ['Oe', 'O'], Å: ['Aa', 'A'] };
const LONG_WORD = 6;

/** `text` dressed as the variant says. */
export function dress(text: string, variant: VariantName, dressing: Dressing): string {
  const next = random(seedOf(text, variant));
  switch (variant) {
    case 'preamble':
      return `${pick(dressing.preambles, next)} ${asSentence(text)}`;
    case 'sign-off':
      return `${asSentence(text)} ${pick(dressing.signOffs, next)}`;
    case 'ascii':
      // Both ways people type without the Danish letters: "ae" and a plain "a".
      return text.replace(/[æøåÆØÅ]/g, (letter) => ASCII[letter]![next() < 0.5 ? 0 : 1]);
    case 'typos':
      return text.replace(/\p{L}+/gu, (word) => (word.length >= LONG_WORD ? typo(word, next) : word));
    case 'lowercase':
      return text.toLocaleLowerCase('da-DK').replace(/[^\p{L}\p{N}\s]+/gu, ' ').replace(/\s+/g, ' ').trim();
  }
}
