import { describe, expect, it } from 'vitest';
import { answerTarget, edgesOf } from '../src/content/guide-content';
import { Replies } from '../src/dialogs/replies';
import { fixedClock } from '../src/clock';
import { Conversation, PINNED_DAYS, content, toReply } from './helpers/bot-harness';
import { allPaths, boxesFrom, expectedFrom } from './helpers/guide-paths';

const START = 'Hjælp mig med at få MitID';
const replies = (day: string) => new Replies(content, fixedClock(`${day}T12:00:00+01:00`));

async function startGuide(conversation: Conversation, day: string) {
  const said = await conversation.say(START);
  expect(said).toEqual([toReply(replies(day).message('guideStart')), ...expectedFrom(content, content.guide.start, day)]);
}

describe.each(Object.values(PINNED_DAYS))('every path of the flowchart on %s', (day) => {
  const paths = allPaths(content.guide, day);

  it.each(paths.map((p) => [p.name, p] as const))('%s', async (_name, path) => {
    const conversation = new Conversation({ day });
    await startGuide(conversation, day);
    const passed: Array<[string, string?]> = boxesFrom(content, content.guide.start, day);
    for (const [question, answer] of path.answers) {
      const node = content.guide.nodes[question]!;
      if (node.kind !== 'question') throw new Error(`${question} is not a question`);
      const label = content.phrases.answers[answer]!.label;
      const said = await conversation.say(label);
      const target = answerTarget(node, answer, day)!;
      passed.push([question, answer]);
      expect(said).toEqual(expectedFrom(content, target, day, passed));
      passed.push(...boxesFrom(content, target, day));
    }
    // The guide has ended: a plain "ja" is no answer, and the bot asks what the person wants.
    const after = await conversation.say('ja');
    expect(after.map((r) => r.text)).toEqual([replies(day).text(content.messages.whatHelp.text)]);
    expect(after[0]!.buttons).toEqual(content.messages.guideEnd.buttons);
  });
});

// The ways people open the guide: each leads into it at once, and every path works from there.
const OPENERS = [
  START,
  'hvordan får jeg mitid',
  'start guiden til mitid',
  'jeg skal have mitid',
  'kan du hjælpe mig med mitid',
  'hvad gør jeg nu hvor nemid er lukket',
  'hvordan faar jeg et mitid',
  'kan du hjælpe mig med at få mitid?',
  'jeg vil gerne have hjælp til at oprette mitid',
];

describe.each([PINNED_DAYS.after, PINNED_DAYS.midway])('every path of the flowchart from every opener on %s', (day) => {
  const paths = allPaths(content.guide, day);
  it.each(OPENERS)('"%s"', async (opener) => {
    for (const path of paths) {
      const conversation = new Conversation({ day });
      const opened = await conversation.say(opener);
      expect(opened, `${opener} → ${path.name}`).toEqual([toReply(replies(day).message('guideStart')), ...expectedFrom(content, content.guide.start, day)]);
      const passed: Array<[string, string?]> = boxesFrom(content, content.guide.start, day);
      for (const [question, answer] of path.answers) {
        const node = content.guide.nodes[question]!;
        if (node.kind !== 'question') throw new Error(`${question} is not a question`);
        const target = answerTarget(node, answer, day)!;
        passed.push([question, answer]);
        expect(await conversation.say(content.phrases.answers[answer]!.label), `${opener} → ${path.name} at ${question}`).toEqual(expectedFrom(content, target, day, passed));
        passed.push(...boxesFrom(content, target, day));
      }
    }
  });
});

describe('coverage of the flowchart', () => {
  it('the paths over the pinned days pass every arrow of the chart', () => {
    const passed = new Set(Object.values(PINNED_DAYS).flatMap((day) => allPaths(content.guide, day).flatMap((p) => p.edges)));
    const all = Object.entries(content.guide.nodes).flatMap(([id, node]) => edgesOf(node).map((e) => `${id}>${e.to}`));
    expect(all.length).toBeGreaterThan(15);
    expect(all.filter((edge) => !passed.has(edge))).toEqual([]);
  });
});

describe('the guide in plain words', () => {
  it('before NemID closed, Q1 offers Ja, Nej and Ved ikke as buttons, after Trin 1', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.midway });
    const said = await conversation.say(START);
    expect(said.map((r) => r.text)).toEqual([
      'Godt, så går vi i gang. Jeg stiller dig nogle få spørgsmål.',
      '**Trin 1: Se om du kan oprette MitID selv**',
      'Skal du identitetssikres, før du kan få MitID?',
    ]);
    expect(said[2]!.buttons).toEqual(['Ja', 'Nej', 'Ved ikke']);
  });

  it('today Q1 is not asked: one sentence says NemID closed on 30 June 2023, and the passport question follows', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.after });
    const said = await conversation.say(START);
    const q1 = content.guide.nodes.Q1!;
    if (q1.kind !== 'question') throw new Error('Q1 must be a question');
    // The heading of Trin 1 and the sentence saying why Q1 is not asked share one message.
    expect(said.map((r) => r.text)).toEqual([
      'Godt, så går vi i gang. Jeg stiller dig nogle få spørgsmål.',
      `**Trin 1: Se om du kan oprette MitID selv**\n\n${q1.skipped!.text}`,
      'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?',
    ]);
    expect(said[1]!.text).toContain('30. juni 2023');
    expect(said[2]!.buttons).toEqual(['Ja', 'Nej']);
  });

  it.each(['2023-06-29', '2023-06-30'])('the day NemID closed decides whether Q1 is asked (%s)', async (day) => {
    const said = await new Conversation({ day }).say(START);
    const asksQ1 = said.some((r) => r.text === 'Skal du identitetssikres, før du kan få MitID?');
    expect(asksQ1).toBe(day < '2023-06-30');
  });

  it('no text of the guide tells the person to "følge JA" or "følge NEJ", on any day', () => {
    const texts = Object.values(content.guide.nodes).flatMap((n) => [...n.text.variants.map((v) => v.value), ...(n.kind === 'question' && n.skipped ? [n.skipped.text] : [])]);
    for (const text of texts) expect(text).not.toMatch(/følg(e)? (JA|NEJ)/i);
  });

  it('before NemID closed: "Ved ikke" → try mitid.dk → it failed → Q2', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.before });
    await conversation.say(START);
    const tried = await conversation.say('det ved jeg ikke');
    expect(tried[0]!.text).toContain('prøv først at oprette dig selv på hjemmesiden mitid.dk med dit NemID');
    expect(tried[1]!.text).toContain('Lykkedes det at oprette MitID på mitid.dk?');
    const failed = await conversation.say('det virkede ikke');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.text).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
    expect(failed[0]!.buttons).toEqual(['Ja', 'Nej']);
  });

  it('before NemID closed: "Ved ikke" → it worked → Trin 2', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.between });
    await conversation.say(START);
    await conversation.say('Ved ikke');
    const worked = await conversation.say('ja, det lykkedes');
    expect(worked.map((r) => r.text)).toEqual(['**Trin 2: Vælg hvordan du vil bruge MitID**', 'Har du en smartphone eller tablet?']);
  });

  it('before NemID closed: "Nej" at Q1 creates MitID with NemID on mitid.dk, then Trin 2', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.midway });
    await conversation.say(START);
    const said = await conversation.say('nej');
    expect(said.map((r) => r.text)).toEqual([
      expect.stringContaining('Du kan selv oprette MitID på hjemmesiden mitid.dk ved hjælp af dit NemID'),
      '**Trin 2: Vælg hvordan du vil bruge MitID**',
      'Har du en smartphone eller tablet?',
    ]);
  });

  it('Borgerservice, cannot come in person → O4 → Trin 2', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    const borgerservice = await conversation.say('nej desværre');
    expect(borgerservice[0]!.text).toMatch(/^Du kan få MitID i Borgerservice\. Husk at bestille tid/);
    expect(borgerservice[1]!.text).toBe('Kan du selv komme fysisk i Borgerservice?');
    const cannot = await conversation.say('nej det kan jeg ikke');
    expect(cannot.map((r) => r.text)).toEqual([
      'Kontakt din kommune for at høre, om de fx tilbyder udkørende service.',
      '**Trin 2: Vælg hvordan du vil bruge MitID**',
      'Har du en smartphone eller tablet?',
    ]);
  });

  it('no smartphone → kodeviser → cannot wait → O7 → TIP → the personal plan → end', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    await conversation.say('ja tak'); // Q2
    await conversation.say('jo'); // Q3 → O2 → T2 → Q4
    const codeDisplay = await conversation.say('nej');
    expect(codeDisplay.map((r) => r.text)).toEqual([
      'Du kan bestille en MitID kodeviser eller kodeoplæser. Leveringstiden er 7-15 hverdage.',
      'Kan du vente så længe med at få adgang til din net- eller mobilbank?',
    ]);
    const cannotWait = await conversation.say('nej, det kan jeg ikke');
    expect(cannotWait[0]!.text).toContain('Man kan godt oprette flere unikke brugere med individuelle koder i samme MitID app. Kontakt din bank for at få hjælp.');
    expect(cannotWait[1]!.text).toContain('Vi anbefaler, at du har et ekstra MitID i reserve');
    expect(cannotWait[2]!.text).toMatch(/^Sådan får du MitID\. Din plan:/);
    expect(cannotWait[2]!.text.split('\n').filter((line) => /^\d\. /.test(line))).toEqual([
      '1. Opret MitID i MitID appen, og lad appen aflæse chippen i dit pas.',
      '2. Bestil en MitID kodeviser eller kodeoplæser. Leveringstiden er 7-15 hverdage.',
      '3. Kontakt din bank for at få hjælp til at oprette MitID som app på en smartphone eller tablet, du kan låne.',
      '4. Overvej et ekstra MitID i reserve, fx en MitID app på familiens tablet.',
    ]);
    expect(cannotWait[2]!.text).toMatch(/Har du flere spørgsmål, kan du bare skrive dem her\.$/);
    expect(cannotWait[2]!.buttons).toEqual(['Start forfra', 'Tal med en medarbejder']);
    expect(cannotWait).toHaveLength(3);
  });

  it('the plan is personal: Borgerservice with your passport when you have one, with valid ID when you have not, the municipality when you cannot come', async () => {
    const planOf = async (answers: string[]) => {
      const conversation = new Conversation();
      await conversation.say(START);
      let last: Awaited<ReturnType<Conversation['say']>> = [];
      for (const answer of answers) last = await conversation.say(answer);
      return last.find((r) => r.text.includes('Din plan'))?.text ?? '';
    };
    const withPassport = await planOf(['ja', 'nej', 'ja', 'ja']); // Q2 ja, Q3 nej → O3, Q6 ja, Q4 ja
    expect(withPassport).toContain('Bestil tid i Borgerservice, og tag dit pas eller ID-kort med.');
    const without = await planOf(['nej', 'ja', 'ja']); // Q2 nej → O3, Q6 ja, Q4 ja
    expect(without).toContain('tag gyldig legitimation med');
    expect(without).not.toContain('dit pas');
    const cannotCome = await planOf(['nej', 'nej', 'ja']); // Q6 nej → O4
    expect(cannotCome).not.toContain('Bestil tid i Borgerservice');
    expect(cannotCome).toContain('Kontakt din kommune');
  });
});

describe('free-text answers', () => {
  it.each([
    ['ja tak', 'Q3'],
    ['jep', 'Q3'],
    ['JA!', 'Q3'],
    ['1', 'Q3'],
    ['ja, det har jeg', 'Q3'],
    ['nej desværre', 'Q6'],
    ['2', 'Q6'],
    ['nej, jeg har ikke noget pas', 'Q6'],
  ])('"%s" answers Q2', async (text, nextQuestion) => {
    const conversation = new Conversation({ day: PINNED_DAYS.after });
    await conversation.say(START);
    const said = await conversation.say(text);
    const question = content.guide.nodes[nextQuestion]!;
    expect(said.at(-1)!.text).toBe(replies(PINNED_DAYS.after).text(question.text));
  });

  it.each([
    ['ja tak', 'Q2'],
    ['det ved jeg ikke', 'Q0'],
    ['jeg er ikke sikker', 'Q0'],
    ['nej', 'Q4'],
  ])('before NemID closed, "%s" answers Q1', async (text, nextQuestion) => {
    const conversation = new Conversation({ day: PINNED_DAYS.midway });
    await conversation.say(START);
    const said = await conversation.say(text);
    const question = content.guide.nodes[nextQuestion]!;
    expect(said.at(-1)!.text).toBe(replies(PINNED_DAYS.midway).text(question.text));
  });

  it.each([
    ['nej desværre', 'nej'],
    ['det ved jeg ikke', 'ved_ikke'],
    ['det virkede ikke', 'nej'],
    ['det virkede', 'ja'],
    ['jeg ved det ikke', 'ved_ikke'],
    ['nej tak', 'nej'],
    ['naej', undefined],
  ])('"%s" is read as %s where the question allows it', async (text, answer) => {
    const conversation = new Conversation({ day: PINNED_DAYS.before });
    await conversation.say(START);
    await conversation.say('ved ikke'); // now at Q0, which takes ja/nej
    const said = await conversation.say(text);
    if (answer === 'nej') expect(said[0]!.text).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
    if (answer === 'ja') expect(said[0]!.text).toBe('**Trin 2: Vælg hvordan du vil bruge MitID**');
    if (answer === 'ved_ikke' || answer === undefined) {
      // Q0 has no "Ved ikke": the person is asked again with the choices spelled out.
      expect(said).toEqual([{ text: 'Det forstod jeg ikke helt. Svar Ja eller Nej, eller tryk på en knap.', buttons: ['Ja', 'Nej'] }]);
    }
  });

  it('a reply that is no answer gets a short re-prompt, and the question still stands', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    const confused = await conversation.say('blomkål');
    expect(confused).toEqual([{ text: 'Det forstod jeg ikke helt. Svar Ja eller Nej, eller tryk på en knap.', buttons: ['Ja', 'Nej'] }]);
    const again = await conversation.say('ja nej'); // both at once is no answer either
    expect(again[0]!.buttons).toEqual(['Ja', 'Nej']);
    const answered = await conversation.say('ja');
    expect(answered[0]!.text).toContain('Har du adgang til en smartphone, som kan scanne pas?');
  });
});
