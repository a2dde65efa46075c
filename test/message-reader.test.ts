import { describe, expect, it } from 'vitest';
import { MessageReader, sentencesOf } from '../src/nlu/message-reader';
import type { Decision } from '../src/nlu/recognizer';
import { content, recognizer } from './helpers/bot-harness';

const reader = new MessageReader(recognizer, content.classifier, content.phrases);
const smallTalk = new Set<string>(content.classifier.smallTalk);

/** The intents a reading answers, in order. */
const intentsOf = (decisions: readonly Decision[]) => decisions.map((d) => (d.kind === 'intent' ? d.intent : d.kind));
const decisionOf = (text: string) => recognizer.decide(recognizer.recognize(text));

const CODE_DISPLAY = 'Hvordan bestiller jeg en kodeviser?';
const KEEP_NEMID = 'Kan jeg beholde mit NemID?';
const END_DATES = 'Hvornår lukker NemID?';

describe('the questions used here are clear on their own', () => {
  it.each([
    [CODE_DISPLAY, 'code_display'],
    [KEEP_NEMID, 'keep_nemid'],
    [END_DATES, 'nemid_end_dates'],
  ])('"%s" is %s', (text, intent) => {
    expect(decisionOf(text)).toMatchObject({ kind: 'intent', intent });
  });
});

describe('MessageReader.read', () => {
  it('a preamble, a question and a sign-off: one decision, the question\'s intent', () => {
    const text = `Hej, jeg er 82 år, og min datter har sagt, at jeg skulle skrive her. ${CODE_DISPLAY} Tak på forhånd. Mvh Inger`;
    const reading = reader.read(text);
    expect(intentsOf(reading.decisions)).toEqual(['code_display']);
    // The scores for the trace are those of the question itself.
    expect(reading.result.text).toBe(CODE_DISPLAY);
    expect(reading.result.intents).toEqual(recognizer.recognize(CODE_DISPLAY).intents);
  });

  it('two questions in two sentences: two decisions, in the order written', () => {
    expect(intentsOf(reader.read(`${CODE_DISPLAY} ${KEEP_NEMID}`).decisions)).toEqual(['code_display', 'keep_nemid']);
    expect(intentsOf(reader.read(`${KEEP_NEMID} ${CODE_DISPLAY}`).decisions)).toEqual(['keep_nemid', 'code_display']);
  });

  it('two questions on two lines count as two sentences', () => {
    expect(intentsOf(reader.read(`${KEEP_NEMID.slice(0, -1)}\n${CODE_DISPLAY.slice(0, -1)}`).decisions)).toEqual(['keep_nemid', 'code_display']);
  });

  it('the same question twice is answered once', () => {
    expect(intentsOf(reader.read(`${CODE_DISPLAY} ${CODE_DISPLAY}`).decisions)).toEqual(['code_display']);
    expect(intentsOf(reader.read(`${CODE_DISPLAY} Altså, ${CODE_DISPLAY.toLowerCase()}`).decisions)).toEqual(['code_display']);
  });

  it('three questions: at most two are answered, the first two', () => {
    const decisions = reader.read(`${CODE_DISPLAY} ${KEEP_NEMID} ${END_DATES}`).decisions;
    expect(decisions.length).toBeLessThanOrEqual(2);
    expect(intentsOf(decisions)).toEqual(['code_display', 'keep_nemid']);
  });

  it('a preamble joined by a comma: the clause that asks', () => {
    // Read whole, a long enough story about oneself drowns the question.
    const text = 'Jeg er pensionist og bor alene i Odense med min kat og min hund, hvordan bestiller jeg en kodeviser';
    expect(decisionOf(text).kind).not.toBe('intent');
    const reading = reader.read(text);
    expect(intentsOf(reading.decisions)).toEqual(['code_display']);
    expect(reading.result.text).toBe('hvordan bestiller jeg en kodeviser');
  });

  it('a message that is clear whole is read whole, with its own scores', () => {
    const text = 'Hej med dig, hvornår lukker NemID';
    const reading = reader.read(text);
    expect(intentsOf(reading.decisions)).toEqual(['nemid_end_dates']);
    expect(reading.result.text).toBe(text);
  });

  it('greetings and thanks around a question give way to it', () => {
    expect(intentsOf(reader.read(`Hej. ${KEEP_NEMID}`).decisions)).toEqual(['keep_nemid']);
    expect(intentsOf(reader.read(`${KEEP_NEMID} Tak for hjælpen.`).decisions)).toEqual(['keep_nemid']);
  });

  it.each([
    ['Hej', 'greeting'],
    ['Hej med dig', 'greeting'],
    ['Tak for hjælpen', 'thanks'],
  ])('small talk alone stays: "%s" is %s', (text, intent) => {
    expect(smallTalk.has(intent)).toBe(true);
    expect(intentsOf(reader.read(text).decisions)).toEqual([intent]);
  });

  it('a message with nothing to classify is one "none" decision', () => {
    expect(reader.read('!!!').decisions).toEqual([{ kind: 'none', score: 1 }]);
  });

  it('reading the same text again gives the same reading', () => {
    const text = `${KEEP_NEMID} ${CODE_DISPLAY}`;
    const first = reader.read(text);
    expect(reader.read(text)).toEqual(first);
    expect(new MessageReader(recognizer, content.classifier, content.phrases).read(text)).toEqual(first);
  });
});

describe('MessageReader.findInLong', () => {
  // Long sentences, as people write when they tell their story; none of them asks anything.
  const story = [
    'Min mand og jeg har boet i det samme hus i Viborg i over fyrre år, og vi har altid klaret papirarbejdet selv ved køkkenbordet, også dengang alt kom med posten, og vi skulle gemme det hele i ringbind på loftet, hvor der efterhånden ikke er plads til mere.',
    'Sidste vinter faldt jeg på isen foran Brugsen og brækkede håndleddet, så nu er det svært for mig at skrive længe ad gangen, og min mand har aldrig rigtig interesseret sig for computeren, som står inde i det lille værelse ved siden af soveværelset.',
    'Vores børnebørn bor i København og kommer kun på besøg til jul og i sommerferien, når de har fri fra skole og arbejde, og så har de travlt med alt muligt andet end at sidde og forklare deres bedstemor, hvordan tingene virker nu om dage.',
  ];
  const storyOf = (length: number) => {
    let text = '';
    for (let i = 0; text.length < length; i++) text += `${story[i % story.length]} `;
    return text;
  };

  it('the story itself asks nothing', () => {
    for (const sentence of story) expect(decisionOf(sentence).kind).not.toBe('intent');
  });

  it('finds the question at the end of a 5,000-character story', () => {
    const text = `${storyOf(5_000 - CODE_DISPLAY.length - 1)}${CODE_DISPLAY}`;
    expect(text.length).toBeGreaterThanOrEqual(5_000);
    const found = reader.findInLong(text);
    expect(found).toBeDefined();
    expect(intentsOf(found!.decisions)).toEqual(['code_display']);
    expect(found!.result.text).toBe(CODE_DISPLAY);
  });

  it('the most confident question wins when the story asks two', () => {
    const text = `${storyOf(2_000)}${CODE_DISPLAY} ${storyOf(1_000)}${KEEP_NEMID}`;
    const scoreOf = (question: string) => {
      const decision = decisionOf(question);
      return decision.kind === 'intent' ? decision.score : 0;
    };
    const best = scoreOf(CODE_DISPLAY) > scoreOf(KEEP_NEMID) ? CODE_DISPLAY : KEEP_NEMID;
    const found = reader.findInLong(text);
    expect(found?.result.text).toBe(best);
    expect(found?.decisions).toHaveLength(1);
  });

  it('finds the question after 40 short sentences: a long message is read at both ends', () => {
    const text = `${'Jeg har boet i Aarhus hele mit liv, og min mand og jeg har altid klaret det hele selv. '.repeat(40)}${CODE_DISPLAY}`;
    expect(intentsOf(reader.findInLong(text)?.decisions ?? [])).toEqual(['code_display']);
  });

  it('a long story without a question finds nothing', () => {
    expect(reader.findInLong(storyOf(5_000))).toBeUndefined();
    expect(reader.findInLong('ja '.repeat(3_334))).toBeUndefined();
  });
});

describe('MessageReader.isEnglish', () => {
  it.each(['How do I get MitID?', 'I have lost my passport', 'Can I keep NemID?', 'hello, can you help me with mitid', 'Do you speak English?'])(
    '"%s" is English',
    (text) => {
      expect(reader.isEnglish(text)).toBe(true);
    },
  );

  it('the Danish sentences below hold words that are also English', () => {
    const alsoDanish = new Set(content.phrases.english.alsoDanish);
    for (const word of ['i', 'to', 'have', 'for', 'ok']) expect(alsoDanish.has(word), word).toBe(true);
  });

  it.each([
    'Jeg har to børn, og i dag skal jeg have MitID for at bruge netbank',
    'ok, jeg vil have MitID',
    'ok tak',
    'I morgen skal jeg have hjælp til MitID',
    'Har du tid til at hjælpe mig for en gangs skyld?',
    'Jeg har et pas i min skuffe',
    'Kan jeg få MitID app på min iPad?',
    'to ting: jeg har mistet mit pas, og jeg har ingen bank',
    'hej',
    'MitID',
  ])('"%s" is Danish', (text) => {
    expect(reader.isEnglish(text)).toBe(false);
  });

  it('one English word is not enough', () => {
    expect(reader.isEnglish('help')).toBe(false);
    expect(reader.isEnglish('hello')).toBe(false);
  });

  it('an empty message is not English', () => {
    expect(reader.isEnglish('')).toBe(false);
  });
});

describe('sentencesOf', () => {
  it('splits after . ! ? and … followed by a space, and at line breaks', () => {
    expect(sentencesOf('Hej. Hvordan får jeg MitID? Tak! Mvh… Inger')).toEqual(['Hej.', 'Hvordan får jeg MitID?', 'Tak!', 'Mvh…', 'Inger']);
    expect(sentencesOf('Hej\nHvordan får jeg MitID\n\nMvh Inger')).toEqual(['Hej', 'Hvordan får jeg MitID', 'Mvh Inger']);
  });

  it('does not split inside numbers and dates', () => {
    expect(sentencesOf('Jeg fik brev den 30.06.2023 om version 2.1 af appen.')).toEqual(['Jeg fik brev den 30.06.2023 om version 2.1 af appen.']);
  });

  it('trims and leaves out parts without words', () => {
    expect(sentencesOf('  Hej.   ...   !!! \n\n  Tak.  ')).toEqual(['Hej.', 'Tak.']);
    expect(sentencesOf('')).toEqual([]);
    expect(sentencesOf('?!')).toEqual([]);
  });

  it('one sentence without end punctuation is itself', () => {
    expect(sentencesOf('kan jeg beholde mit nemid')).toEqual(['kan jeg beholde mit nemid']);
  });
});

describe('MessageReader.read: sentences that ask come first (issue 14)', () => {
  it('a preamble statement the classifier half-recognises does not outrank the question', () => {
    const text = `Kære MitID-hjælper, jeg håber, du kan hjælpe mig. ${KEEP_NEMID}`;
    expect(intentsOf(reader.read(text).decisions)).toEqual(['keep_nemid']);
  });

  it('a question the bot has no answer for is not answered by the small talk around it', () => {
    const reading = reader.read('Hej med dig. Hvad bliver vejret i morgen?');
    expect(intentsOf(reading.decisions)).toEqual(['none']);
  });

  it('small talk alone is still small talk', () => {
    const [first] = reader.read('Hej. Tusind tak for i går!').decisions;
    expect(first?.kind === 'intent' && smallTalk.has(first.intent)).toBe(true);
  });

  it('a suspected fraud is answered before the question asked first (firstWhenFound)', () => {
    expect(content.classifier.firstWhenFound).toContain('suspected_fraud');
    const reading = reader.read(`${END_DATES} Og så har nogen godkendt noget i min MitID app, som jeg ikke selv har lavet.`);
    expect(intentsOf(reading.decisions)).toEqual(['suspected_fraud', 'nemid_end_dates']);
  });

  it('a person asked for in one sentence is a decision for a person, and a call is told apart', () => {
    const reading = reader.read(`${CODE_DISPLAY} Ellers vil jeg gerne have, at en fra support ringer mig op.`);
    expect(intentsOf(reading.decisions)).toEqual(['code_display', 'human_agent']);
    expect(reading.person).toBe('call');
    expect(reader.read('kan du stille mig om til support').person).toBe('person');
    expect(reader.asksForPerson('hvornår lukker nemid')).toBeUndefined();
  });

  it('one sentence with a comma: only a clause that asks, and clearly, stands for the message', () => {
    // "tak, det hjalp mig meget" holds no question; its clause about help must not become one.
    const [first] = reader.read('tak, det hjalp mig meget').decisions;
    expect(first?.kind === 'intent' && first.intent).toBe('thanks');
  });
});

describe('MessageReader.read: a choice between two answers', () => {
  it('"MitID app eller kodeviser?" offers both, however sure the classifier is of one', () => {
    const [first] = reader.read('MitID app eller kodeviser?').decisions;
    expect(first?.kind).toBe('ambiguous');
    expect(first?.kind === 'ambiguous' && [...first.options].sort()).toEqual(['code_display', 'mitid_app']);
  });

  it('"hverken pas eller ID-kort" is no choice, and a choice inside one intent is no choice either', () => {
    expect(reader.read('jeg har hverken pas eller id kort').decisions[0]?.kind).not.toBe('ambiguous');
    expect(reader.read('hvor lang tid tager en kodeviser eller en kodeoplæser').decisions[0]).toMatchObject({ kind: 'intent', intent: 'code_display' });
  });
});

describe('MessageReader.read: a question about the statement before it', () => {
  it('"Jeg har mistet min telefon. Hvad gør jeg?" is about the lost phone, not a new question', () => {
    expect(intentsOf(reader.read('Jeg har mistet min telefon. Hvad gør jeg?').decisions)).toEqual(['lost_device']);
  });

  it('a question surer than the statement before it is a question of its own, answered after it', () => {
    expect(intentsOf(reader.read('Jeg har ingen smartphone. Hvordan bestiller jeg en kodeviser? Kan jeg beholde mit NemID?').decisions)).toEqual([
      'code_display',
      'keep_nemid',
    ]);
  });
});
