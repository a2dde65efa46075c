import { describe, expect, it } from 'vitest';
import { RepairPlanner, type GuideProgress } from '../src/bot/repair';
import { pickDated } from '../src/content/dated';
import { answerTarget, commonTarget } from '../src/content/guide-content';
import { loadContent } from '../src/content/load-content';
import type { PathEntry } from '../src/dialogs/guide-dialog';

const content = loadContent();
const planner = new RepairPlanner(content);
const { nodes } = content.guide;

const TODAY = '2026-11-21';
const BEFORE_NEMID_CLOSED = '2021-06-01';

/** Where the guide goes after `entry` on `day`: a question's answer (or its one target when skipped), a box's next. */
function nextOf(entry: PathEntry, day: string): string | undefined {
  const node = nodes[entry.node]!;
  if (node.kind === 'question') return entry.skipped ? commonTarget(node, day) : answerTarget(node, entry.answer!, day);
  return node.next ? pickDated(node.next, day) : undefined;
}

/** A progress built by hand, checked against dialogs/guide.yaml so that it is one the guide can reach on `day`. */
function progress(path: PathEntry[], current: string | undefined, day = TODAY): GuideProgress {
  const ids = [...path.map((e) => e.node), ...(current !== undefined ? [current] : [])];
  expect(ids[0]).toBe(content.guide.start);
  path.forEach((entry, i) => expect(nextOf(entry, day), `after ${entry.node}`).toBe(ids[i + 1]));
  if (current !== undefined) expect(nodes[current]!.kind).toBe('question');
  return current !== undefined ? { path, current } : { path };
}

// Since NemID closed, Q1 ("Skal du identitetssikres?") has nothing to decide and is skipped.
const START: PathEntry[] = [{ node: 'T1' }, { node: 'Q1', skipped: true }];
const noPassport = [...START, { node: 'Q2', answer: 'nej' }, { node: 'O3' }];
const passport = [...START, { node: 'Q2', answer: 'ja' }];
const scans = [...passport, { node: 'Q3', answer: 'ja' }, { node: 'O2' }, { node: 'T2' }];
const codeDisplay = [...passport, { node: 'Q3', answer: 'nej' }, { node: 'O3' }, { node: 'Q6', answer: 'ja' }, { node: 'T2' }, { node: 'Q4', answer: 'nej' }, { node: 'O6' }];

/** Nothing answered yet: the passport question is open. */
const atQ2 = () => progress([...START], 'Q2');
/** "Nej" to the passport question: the Borgerservice box, then Q6. */
const atQ6AfterNoPassport = () => progress(noPassport, 'Q6');
/** "Ja" to the passport question: the scanning question is open. */
const atQ3 = () => progress(passport, 'Q3');
/** Passport and a phone that scans: the smartphone-or-tablet question is open. */
const atQ4 = () => progress(scans, 'Q4');
/** No scanning phone, Borgerservice yes, no smartphone: "can you wait for a code display?" is open. */
const atQ5 = () => progress(codeDisplay, 'Q5');
/** The guide ended after the app box and the tip. */
const ended = () => progress([...scans, { node: 'Q4', answer: 'ja' }, { node: 'O5' }, { node: 'TIP' }], undefined);

describe('the hand-built progress matches dialogs/guide.yaml', () => {
  it('the questions corrected here name themselves by the words used', () => {
    const about = (id: string) => {
      const node = nodes[id]!;
      return node.kind === 'question' ? node.about : [];
    };
    expect(about('Q2')).toContain('pas');
    expect(about('Q3')).toEqual(expect.arrayContaining(['smartphone', 'scanne']));
    expect(about('Q4')).toContain('smartphone');
    expect(about('Q5')).toContain('vente');
    expect(about('Q6')).toContain('borgerservice');
    expect(about('Q1')).toContain('identitetssikres');
  });
});

describe('RepairPlanner.plan: a correction naming an earlier question', () => {
  it('"nej vent, jeg har faktisk et pas" after Q2 nej: Q2 answered ja, the path cut before Q2', () => {
    expect(planner.plan('nej vent, jeg har faktisk et pas', atQ6AfterNoPassport())).toEqual({
      say: 'corrected',
      start: { at: 'Q2', path: START, answer: 'ja' },
    });
  });

  it('a negation makes it a no: "faktisk har jeg ikke noget pas" after Q2 ja', () => {
    expect(planner.plan('faktisk har jeg ikke noget pas', atQ3())).toEqual({ say: 'corrected', start: { at: 'Q2', path: START, answer: 'nej' } });
  });

  it.each(['nej vent, jeg har faktisk ikke et pas', 'jeg har mistet mit pas', 'mit pas er faktisk udløbet'])('"%s" after Q2 ja corrects Q2 to nej', (text) => {
    expect(planner.plan(text, atQ3())).toEqual({ say: 'corrected', start: { at: 'Q2', path: START, answer: 'nej' } });
  });

  it('a question named twice wins over one named once: "en smartphone der kan scanne" is Q3, not Q4', () => {
    expect(planner.plan('vent, jeg har faktisk en smartphone der kan scanne', atQ5())).toEqual({
      say: 'corrected',
      start: { at: 'Q3', path: passport, answer: 'ja' },
    });
  });

  it('on a tie the latest answered question is corrected: "en smartphone" at Q5 is Q4', () => {
    expect(planner.plan('nej vent, jeg har faktisk en smartphone', atQ5())).toEqual({
      say: 'corrected',
      start: { at: 'Q4', path: codeDisplay.slice(0, codeDisplay.findIndex((e) => e.node === 'Q4')), answer: 'ja' },
    });
  });

  it('an earlier question further back: "jeg kan faktisk ikke komme i borgerservice" at Q5 corrects Q6', () => {
    expect(planner.plan('jeg kan faktisk ikke komme i borgerservice', atQ5())).toEqual({
      say: 'corrected',
      start: { at: 'Q6', path: codeDisplay.slice(0, codeDisplay.findIndex((e) => e.node === 'Q6')), answer: 'nej' },
    });
  });

  it('a named question without an answer in the message is asked again', () => {
    expect(planner.plan('jeg ved faktisk ikke om jeg har et pas', atQ3())).toEqual({ say: 'rewound', start: { at: 'Q2', path: START } });
  });

  it('after the guide has ended an earlier answer can still be corrected', () => {
    expect(planner.plan('jeg tog fejl, jeg har ikke et pas', ended())).toEqual({ say: 'corrected', start: { at: 'Q2', path: START, answer: 'nej' } });
  });

  it('never returns a path that holds the corrected question or anything after it', () => {
    const plan = planner.plan('nej vent, jeg har faktisk et pas', atQ6AfterNoPassport());
    expect(plan?.start.path?.map((e) => e.node)).not.toContain('Q2');
    expect(plan?.start.path?.map((e) => e.node)).not.toContain('O3');
  });
});

describe('RepairPlanner.plan: a correction without content', () => {
  it('"jeg trykkede forkert" rewinds to the last answered question', () => {
    expect(planner.plan('jeg trykkede forkert', atQ3())).toEqual({ say: 'rewound', start: { at: 'Q2', path: START } });
    expect(planner.plan('jeg trykkede forkert', atQ5())).toEqual({
      say: 'rewound',
      start: { at: 'Q4', path: codeDisplay.slice(0, codeDisplay.findIndex((e) => e.node === 'Q4')) },
    });
  });

  it.each(['hov', 'ups', 'det var forkert', 'jeg fortryder'])('"%s" rewinds to the last answered question', (text) => {
    expect(planner.plan(text, atQ4())).toEqual({ say: 'rewound', start: { at: 'Q3', path: passport } });
  });

  it('after the guide has ended, the last question answered comes back', () => {
    expect(planner.plan('jeg trykkede forkert', ended())).toEqual({ say: 'rewound', start: { at: 'Q4', path: scans } });
  });

  it('"nej vent, jeg mente ja" gives the last answered question the other answer', () => {
    expect(planner.plan('nej vent, jeg mente ja', atQ6AfterNoPassport())).toEqual({ say: 'corrected', start: { at: 'Q2', path: START, answer: 'ja' } });
  });

  it('at the first question with nothing answered: firstQuestion, the open question and path kept', () => {
    expect(planner.plan('jeg trykkede forkert', atQ2())).toEqual({ say: 'firstQuestion', start: { at: 'Q2', path: START } });
  });

  it('with nothing answered and no question open there is nothing to mend', () => {
    expect(planner.plan('jeg trykkede forkert', { path: [] })).toBeUndefined();
  });
});

describe('RepairPlanner.plan: the answer given already', () => {
  it('"jeg har et pas" after Q2 ja: alreadyNoted, at the open question with the whole path', () => {
    const now = atQ3();
    expect(planner.plan('jeg har et pas', now)).toEqual({ say: 'alreadyNoted', start: { at: 'Q3', path: now.path } });
    expect(planner.plan('faktisk har jeg et pas', now)).toEqual({ say: 'alreadyNoted', start: { at: 'Q3', path: now.path } });
  });

  it('"nej vent, jeg kan godt komme i borgerservice" at Q5 after Q6 ja: alreadyNoted at Q5', () => {
    const now = atQ5();
    expect(planner.plan('nej vent, jeg kan godt komme i borgerservice', now)).toEqual({ say: 'alreadyNoted', start: { at: 'Q5', path: now.path } });
  });

  it('the plan keeps a copy of the path, not the caller\'s array', () => {
    const now = atQ3();
    const plan = planner.plan('jeg har et pas', now);
    expect(plan?.start.path).toEqual(now.path);
    expect(plan?.start.path).not.toBe(now.path);
  });

  it('after the guide has ended, the same answer again is nothing to mend', () => {
    expect(planner.plan('jeg har et pas', ended())).toBeUndefined();
  });
});

describe('RepairPlanner.plan: the open question', () => {
  it('"hov, jeg har ikke nogen smartphone" at Q4 answers Q4 at once, with nothing said first', () => {
    const now = atQ4();
    expect(planner.plan('hov, jeg har ikke nogen smartphone', now)).toEqual({ start: { at: 'Q4', path: now.path, answer: 'nej' } });
  });

  it('"nej vent, jeg kan godt vente" at Q5 answers Q5 ja', () => {
    const now = atQ5();
    expect(planner.plan('nej vent, jeg kan godt vente', now)).toEqual({ start: { at: 'Q5', path: now.path, answer: 'ja' } });
  });

  it('a plain statement about the open question answers it, with nothing said first', () => {
    const now = atQ4();
    expect(planner.plan('jeg har ikke nogen smartphone', now)).toEqual({ start: { at: 'Q4', path: [...now.path], answer: 'nej' } });
  });

  it('a question about the open question in Danish word order ("kan min kone og jeg bruge den samme telefon") answers nothing', () => {
    expect(planner.plan('kan min kone og jeg bruge den samme telefon', atQ4())).toBeUndefined();
    expect(planner.plan('har jeg en smartphone der er god nok', atQ4())).toBeUndefined();
  });
});

describe('RepairPlanner.plan: messages that mend nothing', () => {
  it.each(['faktisk', 'egentlig', 'alligevel', 'faktisk ja'])('a weak marker without a named question ("%s") is undefined', (text) => {
    for (const now of [atQ2(), atQ3(), atQ5()]) expect(planner.plan(text, now)).toBeUndefined();
  });

  it.each(['ja', 'nej', 'ved ikke', 'ja tak', 'det ved jeg ikke'])('a plain answer ("%s") is undefined', (text) => {
    for (const now of [atQ3(), atQ4(), atQ5()]) expect(planner.plan(text, now)).toBeUndefined();
  });

  it.each([
    ['undskyld, hvad er en kodeviser?', atQ4],
    ['hov, hvad er en smartphone?', atQ4],
    ['vent, hvordan scanner man et pas?', atQ5],
    ['hvad er et pas', atQ6AfterNoPassport],
    ['hvornår lukker NemID?', atQ3],
  ] as const)('a question ("%s") is undefined', (text, now) => {
    expect(planner.plan(text, now())).toBeUndefined();
  });
});

describe('RepairPlanner.plan: skipped questions', () => {
  it('a skipped Q1 is never corrected, even when the message names it', () => {
    expect(planner.plan('faktisk skal jeg identitetssikres', atQ3())).toBeUndefined();
    const skippedWithAnswer = progress([{ node: 'T1' }, { node: 'Q1', answer: 'nej', skipped: true }], 'Q2');
    expect(planner.plan('faktisk skal jeg identitetssikres', skippedWithAnswer)).toBeUndefined();
  });

  it('"jeg trykkede forkert" passes over a skipped question: at Q2 it is the first question', () => {
    const skippedWithAnswer = progress([{ node: 'T1' }, { node: 'Q1', answer: 'nej', skipped: true }], 'Q2');
    expect(planner.plan('jeg trykkede forkert', skippedWithAnswer)).toEqual({ say: 'firstQuestion', start: { at: 'Q2', path: skippedWithAnswer.path } });
  });

  it('before NemID closed, Q1 was asked and can be corrected', () => {
    const asked = progress([{ node: 'T1' }, { node: 'Q1', answer: 'nej' }, { node: 'O1' }, { node: 'T2' }], 'Q4', BEFORE_NEMID_CLOSED);
    expect(planner.plan('faktisk skal jeg identitetssikres', asked)).toEqual({ say: 'corrected', start: { at: 'Q1', path: [{ node: 'T1' }], answer: 'ja' } });
  });
});

describe('RepairPlanner.isCorrection', () => {
  it('is true for every strong correction phrase in dialogs/phrases.yaml', () => {
    for (const phrase of content.phrases.corrections.strong) expect(planner.isCorrection(phrase), phrase).toBe(true);
    expect(planner.isCorrection('Nej vent, jeg har faktisk et pas')).toBe(true);
  });

  it.each(['faktisk', 'egentlig har jeg et pas', 'jeg har et pas', 'ja', 'nej', 'undskyld, hvad er en kodeviser?'])('is false for "%s"', (text) => {
    expect(planner.isCorrection(text)).toBe(false);
  });
});

describe('RepairPlanner.back', () => {
  it('asks the last answered question again, with the path before it', () => {
    expect(planner.back(atQ3())).toEqual({ say: 'rewound', start: { at: 'Q2', path: START } });
    expect(planner.back(atQ6AfterNoPassport())).toEqual({ say: 'rewound', start: { at: 'Q2', path: START } });
    expect(planner.back(atQ4())).toEqual({ say: 'rewound', start: { at: 'Q3', path: passport } });
    expect(planner.back(atQ5())).toEqual({ say: 'rewound', start: { at: 'Q4', path: codeDisplay.slice(0, codeDisplay.findIndex((e) => e.node === 'Q4')) } });
    expect(planner.back(ended())).toEqual({ say: 'rewound', start: { at: 'Q4', path: scans } });
  });

  it('going back step by step ends at the first question', () => {
    let now: GuideProgress = atQ5();
    const visited: string[] = [];
    for (let step = 0; step < 10; step++) {
      const plan = planner.back(now)!;
      visited.push(plan.start.at!);
      if (plan.say === 'firstQuestion') break;
      now = { path: plan.start.path!, current: plan.start.at! };
    }
    expect(visited).toEqual(['Q4', 'Q6', 'Q3', 'Q2', 'Q2']);
  });

  it('at the first question: firstQuestion, and a skipped question is not gone back to', () => {
    expect(planner.back(atQ2())).toEqual({ say: 'firstQuestion', start: { at: 'Q2', path: START } });
    const skippedWithAnswer = progress([{ node: 'T1' }, { node: 'Q1', answer: 'nej', skipped: true }], 'Q2');
    expect(planner.back(skippedWithAnswer)?.say).toBe('firstQuestion');
  });

  it('nothing answered and no question open: undefined', () => {
    expect(planner.back({ path: [] })).toBeUndefined();
    expect(planner.back({ path: START })).toBeUndefined();
  });

  it('every line it says is a message in dialogs/messages.yaml', () => {
    for (const plan of [planner.back(atQ3()), planner.back(atQ2())]) expect(content.messages[plan!.say!]).toBeDefined();
  });
});

describe('corrections the first version misread', () => {
  it('"nej, jeg har faktisk et pas" after no passport is a correction to yes (the leading "nej" is no answer)', () => {
    expect(planner.plan('nej, jeg har faktisk et pas', atQ6AfterNoPassport())).toEqual({ say: 'corrected', start: { at: 'Q2', path: [...START], answer: 'ja' } });
  });

  it('"vent, ved ikke om jeg har pas" does not know: the passport question is asked again, not answered no', () => {
    expect(planner.plan('vent, ved ikke om jeg har pas', atQ3())).toEqual({ say: 'rewound', start: { at: 'Q2', path: [...START] } });
  });

  it('"har du et pas?" asks the bot something and corrects nothing', () => {
    expect(planner.plan('har du et pas?', atQ6AfterNoPassport())).toBeUndefined();
    expect(planner.plan('har du et pas', atQ6AfterNoPassport())).toBeUndefined();
  });

  it('"jeg mente nej" after a yes uses the plain word, as nothing else says it', () => {
    expect(planner.plan('jeg mente nej', atQ3())).toEqual({ say: 'corrected', start: { at: 'Q2', path: [...START], answer: 'nej' } });
  });
});
