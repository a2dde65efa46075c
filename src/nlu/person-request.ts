import type { PhrasesContent } from '../content/phrases';
import { tokenize } from '../text/normalize';

/**
 * A person asked for in a sentence: to write with, to call ("ring til mig"), or a phone number
 * asked for without saying whose ("hvad er telefonnummeret?"), which after a topic is the topic's.
 */
export type PersonRequest = 'person' | 'call' | 'number';

// A negation this many words before the request, in the same clause, turns it down.
const NEGATION_REACH = 4;
const CLAUSES = /[,;:.!?()–—]+|\s-\s/u;

type Phrase = readonly string[];

/**
 * Finds a request for a person at MitID support in any words ("stil mig om til support",
 * "du forstår mig ikke, giv mig en supporter", "kan nogen ringe mig op?"). The classifier
 * learns such requests too, but a person asked for is a rule, not a guess: one or two
 * words of a long sentence must be enough, and the phrases in dialogs/phrases.yaml
 * (`person`) say when they are not a request.
 */
export class PersonRequestFinder {
  private readonly asks: Phrase[];
  private readonly calls: Phrase[];
  private readonly numbers: Phrase[];
  private readonly ours: ReadonlySet<string>;
  private readonly notAfter: ReadonlySet<string>;
  private readonly numbersNotAfter: ReadonlySet<string>;
  private readonly skip: ReadonlySet<string>;
  private readonly elsewhere: ReadonlySet<string>;
  private readonly negations: ReadonlySet<string>;
  private readonly fillers: ReadonlySet<string>;

  constructor(phrases: PhrasesContent) {
    const words = (list: readonly string[]) => list.map((p) => tokenize(p)).filter((p) => p.length > 0);
    this.asks = words(phrases.person.asks);
    this.calls = words(phrases.person.calls);
    this.numbers = words(phrases.person.numbers);
    this.ours = new Set(phrases.person.ours.flatMap((p) => tokenize(p)));
    this.notAfter = new Set(phrases.person.notAfter.flatMap((p) => tokenize(p)));
    this.numbersNotAfter = new Set(phrases.person.numbersNotAfter.flatMap((p) => tokenize(p)));
    this.skip = new Set(phrases.person.skip.flatMap((p) => tokenize(p)));
    this.elsewhere = new Set(phrases.person.elsewhere.flatMap((p) => tokenize(p)));
    this.negations = new Set(phrases.negations.flatMap((p) => tokenize(p)));
    this.fillers = new Set(phrases.fillers.flatMap((p) => tokenize(p)));
  }

  /** The request in `text`, if any: a call or a number where one is asked for, else a person. */
  find(text: string): PersonRequest | undefined {
    const clauses = text.split(CLAUSES).map((c) => tokenize(c)).filter((c) => c.length > 0);
    const sentence = clauses.flat();
    let found: PersonRequest | undefined;
    for (const clause of clauses) {
      if (this.matches(clause, this.calls, this.notAfter)) return 'call';
      if (this.matches(clause, this.numbers, this.numbersNotAfter, () => sentence.some((w) => this.ours.has(w)))) return 'call';
      if (this.matches(clause, this.numbers, this.numbersNotAfter, (end) => clause.slice(end).every((w) => this.fillers.has(w)))) return 'number';
      if (this.matches(clause, this.asks, this.notAfter)) found = 'person';
    }
    return found;
  }

  private matches(clause: readonly string[], phrases: readonly Phrase[], notAfter: ReadonlySet<string>, counts: (end: number) => boolean = () => true): boolean {
    for (const phrase of phrases) {
      for (let at = clause.indexOf(phrase[0]!); at >= 0; at = clause.indexOf(phrase[0]!, at + 1)) {
        if (!phrase.every((w, i) => clause[at + i] === w)) continue;
        const end = at + phrase.length;
        if (this.isRequest(clause, at, end, notAfter) && counts(end)) return true;
      }
    }
    return false;
  }

  private isRequest(clause: readonly string[], at: number, end: number, notAfter: ReadonlySet<string>): boolean {
    if (clause.slice(Math.max(0, at - NEGATION_REACH), at).some((w) => this.negations.has(w))) return false;
    const after = clause[end];
    if (after !== undefined && this.elsewhere.has(after) && clause[end + 1] !== undefined && !this.ours.has(clause[end + 1]!)) return false;
    let before = at - 1;
    while (before >= 0 && this.skip.has(clause[before]!)) before--;
    // At the start of a clause it is a request only alone ("support", "medarbejder tak"), not as
    // the subject of a statement ("en medarbejder i banken sagde …").
    if (before < 0) return clause.slice(end).every((w) => this.fillers.has(w));
    return !notAfter.has(clause[before]!);
  }
}
