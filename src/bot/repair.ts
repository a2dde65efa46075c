import type { Content } from '../content/load-content';
import type { MessageId } from '../content/messages';
import { answerMatcher } from '../dialogs/answer-prompt';
import type { GuideStart, PathEntry } from '../dialogs/guide-dialog';
import { PhraseMatcher } from '../text/phrase-matcher';

/** How to mend the guide: where it starts again, and the short line said first (none for a plain answer). */
export interface RepairPlan {
  say?: Extract<MessageId, 'rewound' | 'corrected' | 'firstQuestion' | 'alreadyNoted'>;
  start: GuideStart;
}

/** The guide as it stands: the boxes passed and the question open now (none once it has ended). */
export interface GuideProgress {
  path: readonly PathEntry[];
  current?: string;
}

const VED_IKKE: ReadonlySet<string> = new Set(['ved_ikke']);

/**
 * Conversation repair inside the guide, as Rasa's patterns name them: a *correction* ("nej
 * vent, jeg har faktisk et pas", "jeg trykkede forkert") changes the answer of the question it
 * names, or of the last one answered, and the guide goes on from there; *going back*
 * ("tilbage") asks the last answered question again. Questions name themselves by their
 * `about` words in dialogs/guide.yaml.
 */
export class RepairPlanner {
  private readonly strong: PhraseMatcher<'strong'>;
  private readonly markers: PhraseMatcher<'strong' | 'weak'>;
  private readonly about: PhraseMatcher<string>;
  private readonly answers: PhraseMatcher<string>;
  private readonly negations: ReadonlySet<string>;
  private readonly affirmations: ReadonlySet<string>;
  /** A correction that asks something ("undskyld, hvad er en kodeviser?") is a question. */
  private readonly questionWords: ReadonlySet<string>;
  private readonly questionVerbs: ReadonlySet<string>;
  private readonly subjects: ReadonlySet<string>;

  constructor(private readonly content: Content) {
    const { corrections } = content.phrases;
    this.strong = new PhraseMatcher({ strong: corrections.strong });
    this.markers = new PhraseMatcher({ strong: corrections.strong, weak: corrections.weak });
    const about: Record<string, string[]> = {};
    for (const [id, node] of Object.entries(content.guide.nodes)) if (node.kind === 'question' && node.about.length > 0) about[id] = node.about;
    this.about = new PhraseMatcher(about, { stemmed: true });
    this.answers = answerMatcher(content.phrases);
    this.negations = new Set(content.phrases.negations);
    this.affirmations = new Set(content.phrases.affirmations);
    this.questionWords = new Set(content.phrases.questionWords);
    this.questionVerbs = new Set(content.phrases.questionVerbs);
    this.subjects = new Set(content.phrases.subjects);
  }

  /** True when the message says an earlier answer was wrong ("nej vent", "jeg trykkede forkert"). */
  isCorrection(text: string): boolean {
    return this.strong.has(text);
  }

  /** The plan for a message that mends the guide, or undefined when it does not. */
  plan(text: string, progress: GuideProgress): RepairPlan | undefined {
    const strong = this.strong.has(text);
    const marked = strong || this.markers.has(text);
    // Most messages are plain answers or questions: nothing to mend unless they say so or name a question.
    if (!marked && this.about.keysIn(text).size === 0) return undefined;
    const rest = this.markers.rest(text);
    if (rest.some((word) => this.questionWords.has(word))) return undefined;
    // "har du et pas?", "kan min kone og jeg bruge den samme telefon" ask something; a
    // correction or an answer speaks of the person's own situation.
    if (!strong && (/\?\s*$/.test(text) || rest.includes('du') || this.asksByWordOrder(text))) return undefined;
    const answered = progress.path.map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.answer !== undefined && !entry.skipped);
    const restText = rest.join(' ');
    const named = this.about.keysIn(restText);
    const current = progress.current;

    // The question the message names most ("en smartphone der kan scanne" names the scanning
    // question twice, the smartphone-or-tablet one once); on a tie the open one, then the latest answered.
    const most = Math.max(0, ...named.values());
    const best = (node: string) => (named.get(node) ?? 0) === most && most > 0;
    if (current !== undefined && best(current)) {
      // "jeg kan godt komme derind" at the Borgerservice question, "hov, jeg har ikke nogen
      // smartphone" at the smartphone question: an answer in the person's own words.
      const answer = this.answerIn(rest, current);
      return answer ? { start: { at: current, path: [...progress.path], answer } } : undefined;
    }
    const earlier = [...answered].reverse().find(({ entry }) => best(entry.node));
    if (earlier) {
      const answer = this.answerIn(rest, earlier.entry.node);
      const before = progress.path.slice(0, earlier.index);
      if (answer === undefined) return marked ? { say: 'rewound', start: { at: earlier.entry.node, path: before } } : undefined;
      // "jeg har et pas" when the person said so already: nothing to mend, and no answer to the open question either.
      if (answer === earlier.entry.answer) return current !== undefined ? { say: 'alreadyNoted', start: { at: current, path: [...progress.path] } } : undefined;
      return { say: 'corrected', start: { at: earlier.entry.node, path: before, answer } };
    }
    if (!strong) return undefined;

    // "jeg trykkede forkert", "nej vent, det har jeg": the last answer given.
    const last = answered.at(-1);
    if (!last) return current !== undefined ? { say: 'firstQuestion', start: { at: current, path: [...progress.path] } } : undefined;
    const before = progress.path.slice(0, last.index);
    const answer = this.answerIn(rest, last.entry.node);
    if (answer !== undefined && answer !== last.entry.answer) return { say: 'corrected', start: { at: last.entry.node, path: before, answer } };
    return { say: 'rewound', start: { at: last.entry.node, path: before } };
  }

  /** True when the message begins as a Danish yes/no question: a verb, then its subject ("kan jeg …", "har min …"). */
  private asksByWordOrder(text: string): boolean {
    const [first, second] = this.markers.words(text);
    return first !== undefined && second !== undefined && this.questionVerbs.has(first) && this.subjects.has(second);
  }

  /** "tilbage": the last answered question again, or the first question said to be the first. */
  back(progress: GuideProgress): RepairPlan | undefined {
    const answered = progress.path.map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.answer !== undefined && !entry.skipped);
    const last = answered.at(-1);
    if (last) return { say: 'rewound', start: { at: last.entry.node, path: progress.path.slice(0, last.index) } };
    return progress.current !== undefined ? { say: 'firstQuestion', start: { at: progress.current, path: [...progress.path] } } : undefined;
  }

  /**
   * The answer a statement gives to question `nodeId`: "ved ikke" phrases, then a plain
   * "ja"/"nej", then a negation ("jeg har faktisk ikke noget pas") for no, an affirming verb
   * ("jeg har et pas") for yes.
   */
  private answerIn(words: readonly string[], nodeId: string): string | undefined {
    const node = this.content.guide.nodes[nodeId];
    if (node?.kind !== 'question') return undefined;
    const allowed = (answer: string) => (answer in node.answers ? answer : undefined);
    const text = words.join(' ');
    // "ved ikke om jeg har pas" does not know: it is no "nej" because it holds "ikke".
    if (this.answers.match(text, VED_IKKE) !== undefined) return allowed('ved_ikke');
    // A statement says it ("nej, jeg har faktisk et pas" is a yes); a plain "ja"/"nej" only when
    // nothing else does ("jeg mente nej"), and then the one said last.
    const statement = words.filter((word) => word !== 'ja' && word !== 'nej');
    if (statement.some((word) => this.negations.has(word))) return allowed('nej');
    const phrase = this.answers.match(statement.join(' '))?.key;
    if (phrase === 'nej' || phrase === 'ja') return allowed(phrase);
    if (statement.some((word) => this.affirmations.has(word))) return allowed('ja');
    const plain = [...words].reverse().find((word) => word === 'ja' || word === 'nej');
    return plain ? allowed(plain) : undefined;
  }
}
