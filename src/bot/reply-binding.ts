import type { OrdinalId, PhrasesContent } from '../content/phrases';
import { normalizeText, tokenize } from '../text/normalize';
import { PhraseMatcher } from '../text/phrase-matcher';
import type { Action, Option, Pending } from './memory';

/**
 * What a short reply does with an offer: picks an option or an action, or is unclear ("ja" to two
 * buttons). `partial` marks a reply read from its first word alone ("nej, jeg kan ikke gå derned"):
 * the rest of the message may say more than the reply.
 */
export type Binding = ({ option: Option } | { action: Action } | { unclear: true }) & { partial?: true };

type Offer = Exclude<Pending, { kind: 'question' }>;

// Longer messages say more than "ja" or "den første" and are read as messages of their own.
const MAX_REPLY_WORDS = 6;

/**
 * Reads short replies against what the bot offered last: the button's number or title,
 * "den første", "nummer 2", "ja"/"ja tak"/"gerne" (the offer's yes, if it has one), and
 * "nej"/"nej tak"/"ingen af dem".
 */
export class ReplyBinder {
  private readonly replies: PhraseMatcher<'yes' | 'no'>;
  /** One-word replies, for a reply that stands first in a longer message ("ok, send den videre"). */
  private readonly firstWord: ReadonlyMap<string, 'yes' | 'no'>;
  private readonly ordinals: PhraseMatcher<OrdinalId>;
  /** A reply that asks something ("ja, men hvad koster det?") is a question, not a reply. */
  private readonly questionWords: ReadonlySet<string>;

  constructor(phrases: PhrasesContent) {
    const whole = { shortPhraseWords: Number.MAX_SAFE_INTEGER, fillers: phrases.fillers };
    this.replies = new PhraseMatcher(phrases.replies, whole);
    this.questionWords = new Set(phrases.questionWords);
    this.firstWord = new Map(
      (['yes', 'no'] as const).flatMap((key) =>
        phrases.replies[key]
          .map((phrase) => tokenize(phrase))
          .filter((words) => words.length === 1)
          .map((words) => [words[0]!, key] as const),
      ),
    );
    // "ja, den første" points as well as "den første".
    this.ordinals = new PhraseMatcher(phrases.ordinals, { ...whole, fillers: [...phrases.fillers, ...phrases.replies.yes.filter((p) => !p.includes(' '))] });
  }

  /** Yes or no when that is all the message says ("ja tak", "nej, ikke nu"); otherwise undefined. */
  yesOrNo(text: string): 'yes' | 'no' | undefined {
    const tokens = tokenize(text);
    if (tokens.length === 0 || tokens.length > MAX_REPLY_WORDS || tokens.some((t) => this.questionWords.has(t))) return undefined;
    const whole = this.replies.match(text)?.key;
    if (whole) return whole;
    // "ja tak, send den videre", "ok, send den videre", "nej tak, det er fint": the reply stands first.
    return tokens.length > 1 ? this.firstWord.get(tokens[0]!) : undefined;
  }

  /** True when the reply is read from its first word alone ("nej, jeg kan ikke gå derned"), not the whole message. */
  isPartial(text: string): boolean {
    return this.replies.match(text.trim()) === undefined;
  }

  bind(offer: Offer, text: string): Binding | undefined {
    const trimmed = text.trim();
    if (/^\d{1,2}$/.test(trimmed)) {
      const option = offer.options[Number(trimmed) - 1];
      return option ? { option } : undefined;
    }
    const normalized = normalizeText(trimmed);
    const titled = offer.options.find((o) => normalizeText(o.title) === normalized);
    if (titled) return { option: titled };
    const ordinal = this.ordinals.match(trimmed)?.key;
    if (ordinal !== undefined) {
      const option = ordinal === 'last' ? offer.options.at(-1) : offer.options[Number(ordinal) - 1];
      return option ? { option } : { unclear: true };
    }
    const reply = this.yesOrNo(trimmed);
    if (reply === undefined) return undefined;
    const partial = this.isPartial(trimmed) ? ({ partial: true } as const) : {};
    if (reply === 'no') return { action: offer.no ?? { do: 'dismiss' }, ...partial };
    const option = offer.yes !== undefined ? offer.options[offer.yes] : offer.options.length === 1 ? offer.options[0] : undefined;
    return option ? { option, ...partial } : { unclear: true, ...partial };
  }
}
