import { tokenize } from './normalize';
import { danishStem } from './stem';

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
function indexOfSequence(haystack: readonly string[], needle: readonly string[], from = 0): number {
  outer: for (let start = from; start + needle.length <= haystack.length; start++) {
    for (let i = 0; i < needle.length; i++) if (haystack[start + i] !== needle[i]) continue outer;
    return start;
  }
  return -1;
}

export interface PhraseMatcherOptions<K extends string> {
  /**
   * Phrases with at most this many words must be the whole message (apart from fillers);
   * 0 lets every phrase match anywhere.
   */
  shortPhraseWords?: number;
  /** Words ignored when checking a whole-message phrase. */
  fillers?: readonly string[];
  /** Keys whose phrases count anywhere in a message, however short ("start guiden til MitID"). */
  anywhere?: readonly K[];
  /** Compare Danish stems instead of words, so "hjælpe mig med at få" meets "hjælp mig med at få". */
  stemmed?: boolean;
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
  private readonly stemmed: boolean;

  constructor(entries: Record<K, readonly string[]>, options: PhraseMatcherOptions<K> = {}) {
    const shortWords = options.shortPhraseWords ?? 0;
    const anywhere = new Set(options.anywhere ?? []);
    this.stemmed = options.stemmed ?? false;
    this.fillers = new Set((options.fillers ?? []).flatMap((f) => this.words(f)));
    this.phrases = (Object.entries(entries) as Array<[K, readonly string[]]>).flatMap(([key, list]) =>
      list
        .map((phrase) => this.words(phrase))
        .filter((tokens) => tokens.length > 0)
        .map((tokens) => ({ key, tokens, wholeMessageOnly: tokens.length <= shortWords && !anywhere.has(key) })),
    );
  }

  /** The entry the message means, or undefined when none or more than one fits best. */
  match(message: string, allowed?: ReadonlySet<K>): PhraseMatch<K> | undefined {
    const { best, tied } = this.longest(message, allowed);
    return tied ? undefined : best;
  }

  /**
   * The entry of a one-word phrase the message begins with ("nej, det har jeg desværre ikke"),
   * fillers before it passed over ("ok tak. nej det kan jeg ikke").
   */
  leading(message: string): K | undefined {
    const tokens = this.words(message);
    const at = tokens.findIndex((t) => !this.fillers.has(t));
    const first = tokens[at < 0 ? 0 : at];
    return first === undefined ? undefined : this.phrases.find((p) => p.tokens.length === 1 && p.tokens[0] === first)?.key;
  }

  /** How many words of the message the longest listed phrase covers (0 when none), ties included. */
  coveredWords(message: string): number {
    return this.longest(message).best?.words ?? 0;
  }

  /**
   * The message's words that no listed phrase covers (phrases matched anywhere, longest first),
   * fillers left out: what is left of "nej vent, jeg har faktisk et pas" once the correction words are gone.
   */
  rest(message: string): string[] {
    const tokens = this.words(message);
    const covered = new Array<boolean>(tokens.length).fill(false);
    const byLength = [...this.phrases].sort((a, b) => b.tokens.length - a.tokens.length);
    for (const phrase of byLength) {
      for (let at = indexOfSequence(tokens, phrase.tokens); at >= 0; at = indexOfSequence(tokens, phrase.tokens, at + 1)) {
        if (phrase.wholeMessageOnly && tokens.length !== phrase.tokens.length) break;
        for (let i = at; i < at + phrase.tokens.length; i++) covered[i] = true;
      }
    }
    return tokens.filter((t, i) => !covered[i] && !this.fillers.has(t));
  }

  /** Every entry with a phrase in the message. */
  keysIn(message: string): Set<K> {
    const tokens = this.words(message);
    const found = new Set<K>();
    for (const phrase of this.phrases) {
      if (found.has(phrase.key)) continue;
      const hit = phrase.wholeMessageOnly ? sameTokens(tokens, phrase.tokens) : indexOfSequence(tokens, phrase.tokens) >= 0;
      if (hit) found.add(phrase.key);
    }
    return found;
  }

  /** True when some phrase of any entry stands in the message. */
  has(message: string): boolean {
    return this.longest(message).best !== undefined;
  }

  /** The message as this matcher compares it: normalised words, or their stems. */
  words(message: string): string[] {
    const tokens = tokenize(message);
    return this.stemmed ? tokens.map(danishStem) : tokens;
  }

  private longest(message: string, allowed?: ReadonlySet<K>): { best?: PhraseMatch<K>; tied: boolean } {
    const tokens = this.words(message);
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
