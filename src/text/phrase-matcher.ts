import { tokenize } from './normalize';

/** A phrase found in a message: which entry it belongs to and how many words it covers. */
export interface PhraseMatch<K extends string> {
  key: K;
  words: number;
  /** Index of the first word of the phrase in the message (0 for whole-message phrases). */
  start: number;
}

interface CompiledPhrase<K> {
  key: K;
  tokens: string[];
  wholeMessageOnly: boolean;
}

/** Where `needle` first stands in `haystack` as a run of whole words, or -1. */
function indexOfSequence(haystack: readonly string[], needle: readonly string[]): number {
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let i = 0; i < needle.length; i++) if (haystack[start + i] !== needle[i]) continue outer;
    return start;
  }
  return -1;
}

/**
 * Finds which entry a message means by the longest listed phrase it contains.
 * Phrases are normalised like messages, so "nej desværre" and "nej desvaerre" match alike.
 * When two entries tie on the longest phrase the message is unclear and nothing matches:
 * asking again is kinder than guessing.
 */
export class PhraseMatcher<K extends string> {
  private readonly phrases: CompiledPhrase<K>[];
  private readonly fillers: ReadonlySet<string>;

  /**
   * @param entries phrases per key
   * @param options.shortPhraseWords phrases with at most this many words must be the whole
   *   message (apart from fillers); 0 lets every phrase match anywhere.
   * @param options.fillers words ignored when checking a whole-message phrase.
   */
  constructor(
    entries: Record<K, readonly string[]>,
    options: { shortPhraseWords?: number; fillers?: readonly string[] } = {},
  ) {
    const shortWords = options.shortPhraseWords ?? 0;
    this.fillers = new Set((options.fillers ?? []).flatMap(tokenize));
    this.phrases = (Object.entries(entries) as Array<[K, readonly string[]]>).flatMap(([key, list]) =>
      list
        .map(tokenize)
        .filter((tokens) => tokens.length > 0)
        .map((tokens) => ({ key, tokens, wholeMessageOnly: tokens.length <= shortWords })),
    );
  }

  /** The entry the message means, or undefined when none or more than one fits best. */
  match(message: string, allowed?: ReadonlySet<K>): PhraseMatch<K> | undefined {
    const { best, tied } = this.longest(message, allowed);
    return tied ? undefined : best;
  }

  /** The entry of a one-word phrase the message begins with ("nej, det har jeg desværre ikke"). */
  leading(message: string): K | undefined {
    const first = tokenize(message)[0];
    return first === undefined ? undefined : this.phrases.find((p) => p.tokens.length === 1 && p.tokens[0] === first)?.key;
  }

  /** How many words of the message the longest listed phrase covers (0 when none), ties included. */
  coveredWords(message: string): number {
    return this.longest(message).best?.words ?? 0;
  }

  private longest(message: string, allowed?: ReadonlySet<K>): { best?: PhraseMatch<K>; tied: boolean } {
    const tokens = tokenize(message);
    if (tokens.length === 0) return { tied: false };
    const meaningful = tokens.filter((t) => !this.fillers.has(t));
    let best: PhraseMatch<K> | undefined;
    let tied = false;
    for (const phrase of this.phrases) {
      if (allowed && !allowed.has(phrase.key)) continue;
      const start = phrase.wholeMessageOnly
        ? sameTokens(tokens, phrase.tokens) || sameTokens(meaningful, phrase.tokens)
          ? 0
          : -1
        : indexOfSequence(tokens, phrase.tokens);
      if (start < 0) continue;
      const words = phrase.tokens.length;
      if (!best || words > best.words) {
        best = { key: phrase.key, words, start };
        tied = false;
      } else if (words === best.words && phrase.key !== best.key) {
        tied = true;
      }
    }
    return { best, tied };
  }
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
