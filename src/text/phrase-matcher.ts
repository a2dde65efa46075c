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
  // Every turn runs several matchers over the same message: phrases are looked up by their first
  // word (or, for whole-message phrases, by all their words) instead of each being tried in turn.
  private readonly byFirstWord = new Map<string, CompiledPhrase<K>[]>();
  private readonly wholeMessage = new Map<string, CompiledPhrase<K>[]>();
  private readonly fillers: ReadonlySet<string>;
  private readonly stemmed: boolean;
  /** Results for the latest distinct messages: most messages are button taps and a few common phrases. */
  private readonly recent = new Map<string, { best?: PhraseMatch<K>; tied: boolean }>();
  private readonly recentKeys = new Map<string, ReadonlyMap<K, number>>();

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
    for (const phrase of this.phrases) {
      const [index, key] = phrase.wholeMessageOnly ? [this.wholeMessage, phrase.tokens.join(' ')] : [this.byFirstWord, phrase.tokens[0]!];
      const list = index.get(key);
      if (list) list.push(phrase);
      else index.set(key, [phrase]);
    }
  }

  /** The phrases that can stand in a message of these words, each once, in the order they were listed. */
  private candidates(tokens: readonly string[]): CompiledPhrase<K>[] {
    const found = new Set<CompiledPhrase<K>>();
    for (const phrase of this.wholeMessage.get(tokens.join(' ')) ?? []) found.add(phrase);
    const meaningful = tokens.filter((t) => !this.fillers.has(t));
    if (meaningful.length !== tokens.length) for (const phrase of this.wholeMessage.get(meaningful.join(' ')) ?? []) found.add(phrase);
    for (const token of new Set(tokens)) for (const phrase of this.byFirstWord.get(token) ?? []) found.add(phrase);
    return [...found];
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

  /** The message's words after the fillers it begins with ("okay, nej så" → "nej så"); none when it is all fillers. */
  afterFillers(message: string): string[] {
    const tokens = this.words(message);
    const at = tokens.findIndex((t) => !this.fillers.has(t));
    return at < 0 ? [] : tokens.slice(at);
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
    const byLength = this.candidates(tokens).sort((a, b) => b.tokens.length - a.tokens.length);
    for (const phrase of byLength) {
      for (let at = indexOfSequence(tokens, phrase.tokens); at >= 0; at = indexOfSequence(tokens, phrase.tokens, at + 1)) {
        if (phrase.wholeMessageOnly && tokens.length !== phrase.tokens.length) break;
        for (let i = at; i < at + phrase.tokens.length; i++) covered[i] = true;
      }
    }
    return tokens.filter((t, i) => !covered[i] && !this.fillers.has(t));
  }

  /**
   * Every entry with a phrase in the message, with how many of its phrases stand there ("smartphone"
   * and "scanne" both name the scanning question). The map is shared between callers: read it only.
   */
  keysIn(message: string): ReadonlyMap<K, number> {
    let keys = this.recentKeys.get(message);
    if (!keys) {
      keys = this.keysInAfresh(message);
      if (message.length <= LONGEST_KEPT) {
        if (this.recentKeys.size >= RECENT_TEXTS) this.recentKeys.delete(this.recentKeys.keys().next().value!);
        this.recentKeys.set(message, keys);
      }
    }
    return keys;
  }

  private keysInAfresh(message: string): Map<K, number> {
    const tokens = this.words(message);
    const found = new Map<K, number>();
    for (const phrase of this.candidates(tokens)) {
      const hit = phrase.wholeMessageOnly ? sameTokens(tokens, phrase.tokens) : indexOfSequence(tokens, phrase.tokens) >= 0;
      if (hit) found.set(phrase.key, (found.get(phrase.key) ?? 0) + 1);
    }
    return found;
  }

  /** True when some phrase of any entry stands in the message. */
  has(message: string): boolean {
    return this.longest(message).best !== undefined;
  }

  /** The message as this matcher compares it: normalised words, or their stems. */
  words(message: string): string[] {
    return this.stemmed ? stemmedWords(message) : tokenize(message);
  }

  private longest(message: string, allowed?: ReadonlySet<K>): { best?: PhraseMatch<K>; tied: boolean } {
    if (allowed) return this.longestAfresh(message, allowed);
    let found = this.recent.get(message);
    if (!found) {
      const fresh = this.longestAfresh(message);
      if (fresh.best) Object.freeze(fresh.best);
      found = Object.freeze(fresh);
      if (message.length <= LONGEST_KEPT) {
        if (this.recent.size >= RECENT_TEXTS) this.recent.delete(this.recent.keys().next().value!);
        this.recent.set(message, found);
      }
    }
    return found;
  }

  private longestAfresh(message: string, allowed?: ReadonlySet<K>): { best?: PhraseMatch<K>; tied: boolean } {
    const tokens = this.words(message);
    if (tokens.length === 0) return { tied: false };
    const meaningful = tokens.filter((t) => !this.fillers.has(t));
    let best: PhraseMatch<K> | undefined;
    let tied = false;
    for (const phrase of this.candidates(tokens)) {
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
      } else if (words === best.words && start < best.start) {
        best = { key: phrase.key, words, start };
      }
    }
    return { best, tied };
  }
}

// Several stemmed matchers read each message (commands, follow-ups, the guide's topics), and
// most messages are the same few texts: their stems are kept, frozen because they are shared.
const recentStems = new Map<string, readonly string[]>();
const RECENT_TEXTS = 2000;
const LONGEST_KEPT = 500;

function stemmedWords(message: string): string[] {
  const known = recentStems.get(message);
  if (known) return known as string[];
  const stems = Object.freeze(tokenize(message).map(danishStem));
  if (message.length <= LONGEST_KEPT) {
    if (recentStems.size >= RECENT_TEXTS) recentStems.delete(recentStems.keys().next().value!);
    recentStems.set(message, stems);
  }
  return stems as string[];
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
