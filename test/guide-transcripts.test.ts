import { describe, expect, it } from 'vitest';
import { edgesOf } from '../src/content/guide-content';
import { Replies } from '../src/bot/replies';
import { fixedClock } from '../src/clock';
import { Conversation, PINNED_DAYS, content, toReply } from './helpers/bot-harness';
import { allPaths, expectedFrom } from './helpers/guide-paths';

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
    for (const [question, answer] of path.answers) {
      const node = content.guide.nodes[question]!;
      if (node.kind !== 'question') throw new Error(`${question} is not a question`);
      const label = content.phrases.answers[answer]!.label;
      const said = await conversation.say(label);
      expect(said).toEqual(expectedFrom(content, node.answers[answer]!, day));
    }
    // The guide has ended: a new message is no longer taken as an answer.
    expect(await conversation.say('ja')).toEqual([toReply(replies(day).message('fallback'))]);
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
  it('Q1 offers Ja, Nej and Ved ikke as buttons, after Trin 1', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.before });
    const said = await conversation.say(START);
    expect(said.map((r) => r.text)).toEqual([
      'Godt, så går vi i gang. Jeg stiller dig nogle få spørgsmål.',
      '**Trin 1: Se om du kan oprette MitID selv**',
      'Skal du identitetssikres, før du kan få MitID?',
    ]);
    expect(said[2]!.buttons).toEqual(['Ja', 'Nej', 'Ved ikke']);
  });

  it('before NemID closed: "Ved ikke" → try mitid.dk → it failed → Q2', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.before });
    await conversation.say(START);
    const tried = await conversation.say('det ved jeg ikke');
    expect(tried[0]!.text).toContain('Følg NEJ og forsøg at oprette dig via hjemmesiden mitid.dk');
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

  it('today NemID is closed: "Nej" at Q1 says so and goes on as JA', async () => {
    const conversation = new Conversation({ day: PINNED_DAYS.after });
    await conversation.say(START);
    const said = await conversation.say('nej');
    expect(said[0]!.text).toContain('NemID lukkede endeligt 30. juni 2023');
    expect(said[0]!.text).not.toContain('ved hjælp af dit NemID. Ud over');
    expect(said[1]!.text).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
  });

  it('Borgerservice, cannot come in person → O4 → Trin 2', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    await conversation.say('ja');
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

  it('no smartphone → kodeviser → cannot wait → O7 → TIP → end', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    await conversation.say('jep'); // Q1
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
    expect(cannotWait[2]!.text).toBe('Sådan får du MitID. Har du flere spørgsmål, kan du bare skrive dem her.');
    expect(cannotWait[2]!.buttons).toEqual(['Start forfra', 'Tal med en medarbejder']);
  });
});

describe('free-text answers', () => {
  it.each([
    ['ja tak', 'Q2'],
    ['jep', 'Q2'],
    ['JA!', 'Q2'],
    ['1', 'Q2'],
    ['nej desværre', 'Q2'], // today NEJ explains NemID is closed and goes on to Q2
    ['det ved jeg ikke', 'Q2'],
    ['ved ikke', 'Q2'],
    ['jeg er ikke sikker', 'Q2'],
  ])('"%s" answers Q1', async (text, nextQuestion) => {
    const conversation = new Conversation({ day: PINNED_DAYS.after });
    await conversation.say(START);
    const said = await conversation.say(text);
    const question = content.guide.nodes[nextQuestion]!;
    expect(said.at(-1)!.text).toBe(replies(PINNED_DAYS.after).text(question.text));
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
    expect(confused).toEqual([{ text: 'Det forstod jeg ikke helt. Svar Ja, Nej eller Ved ikke, eller tryk på en knap.', buttons: ['Ja', 'Nej', 'Ved ikke'] }]);
    const again = await conversation.say('ja nej'); // both at once is no answer either
    expect(again[0]!.buttons).toEqual(['Ja', 'Nej', 'Ved ikke']);
    const answered = await conversation.say('ja');
    expect(answered[0]!.text).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
  });
});
