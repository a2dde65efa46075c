import {
  ActivityTypes,
  MemoryStorage,
  TestAdapter,
 
  type Activity,
  type RecognizerResult,
} from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { Replies } from '../src/dialogs/replies';
import { fixedClock } from '../src/clock';
import type { FaqIntent, IntentId } from '../src/content/intents-content';
import { botCommands } from '../src/content/commands';
import { Conversation, PINNED_DAYS, content, recognizer, testBot, toReply, type Reply } from './helpers/bot-harness';
import { expectedFrom } from './helpers/guide-paths';

const START = 'Hjælp mig med at få MitID';
const replies = (day: string = PINNED_DAYS.after) => new Replies(content, fixedClock(`${day}T12:00:00+01:00`));
const welcomeButtons: readonly string[] = content.messages.welcome.buttons ?? [];

function intent(id: IntentId): FaqIntent {
  const found = content.intents.intents.get(id);
  if (!found) throw new Error(`intent ${id} is missing from intents/faq.yaml`);
  return found;
}
const titleOf = (id: IntentId) => intent(id).title;
const answerText = (id: IntentId, day: string = PINNED_DAYS.after) => replies(day).text(intent(id).answer);

/**
 * The FAQ answer as the bot should send it, rendered from the content: today's text, the
 * guide button first where the intent offers it (outside the guide), then the follow-ups'
 * titles, at most three; the welcome buttons when there is nothing to follow up with.
 */
function expectedAnswer(id: IntentId, day: string = PINNED_DAYS.after, inGuide = false): Reply {
  const i = intent(id);
  const followUps = i.followUps.map(titleOf);
  let buttons = i.offerGuide && !inGuide ? [welcomeButtons[0]!, ...followUps] : followUps;
  if (buttons.length === 0) buttons = [...welcomeButtons];
  return { text: answerText(id, day), buttons: buttons.slice(0, 3) };
}

function question(id: string, day: string = PINNED_DAYS.after): Reply {
  const node = content.guide.nodes[id];
  if (node?.kind !== 'question') throw new Error(`${id} must be a question`);
  return toReply(replies(day).question(node));
}

/** Commands as the bot reads them, to keep titles that are also commands out of title checks. */
const commands = botCommands(content.phrases);
const isCommand = (text: string) => commands.match(text) !== undefined;

describe('an FAQ answer with no dialog active', () => {
  it('"kan jeg beholde nemid?" gets today’s keep_nemid answer with its follow-ups as buttons', async () => {
    const conversation = new Conversation();
    const said = await conversation.say('kan jeg beholde nemid?');
    expect(said).toEqual([expectedAnswer('keep_nemid')]);
    expect(said[0]!.buttons).toEqual(intent('keep_nemid').followUps.map(titleOf).slice(0, 3));
    expect(said[0]!.text).toMatch(/^Nej, du skal ikke længere have NemID/);
    expect(said[0]!.text).toContain('NemID lukkede endeligt 30. juni 2023');
    expect(said[0]!.buttons).toEqual(['Hvornår stopper NemID?', 'Hvor kan jeg få hjælp?']);
  });

  it('a wording of the question that is not a title is answered the same way', async () => {
    const conversation = new Conversation();
    expect(await conversation.say('kan jeg beholde mit nemid')).toEqual([expectedAnswer('keep_nemid')]);
  });

  it('an answer leaves no dialog behind: "ja" afterwards is no answer, and the bot asks what next with the same buttons', async () => {
    const conversation = new Conversation();
    const [answer] = await conversation.say('kan jeg beholde nemid?');
    expect(await conversation.say('ja')).toEqual([{ text: replies().text(content.messages.whatHelp.text), buttons: answer!.buttons }]);
  });
});

describe('"hvordan får jeg MitID?" is answered by walking the guide', () => {
  it('the question starts the guide at once: Trin 1, and today the passport question', async () => {
    const conversation = new Conversation();
    const said = await conversation.say('hvordan opretter jeg et mitid');
    expect(said).toEqual([toReply(replies().message('guideStart')), ...expectedFrom(content, content.guide.start, PINNED_DAYS.after)]);
    expect(said.at(-1)!.text).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
  });

  it('inside the guide the same question says the guide is under way and asks the open question again', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    const said = await conversation.say('hvordan opretter jeg et mitid');
    expect(said).toEqual([toReply(replies().message('guideRunning')), question('Q2')]);
  });

  it('an answer that offers the guide takes a plain "ja tak" as yes to it', async () => {
    const conversation = new Conversation();
    const [answer] = await conversation.say('skal jeg identitetssikres');
    expect(answer!.buttons[0]).toBe(START);
    const said = await conversation.say('ja tak');
    expect(said).toEqual([toReply(replies().message('guideStart')), ...expectedFrom(content, content.guide.start, PINNED_DAYS.after)]);
  });
});

describe('follow-up buttons', () => {
  it('tapping the first follow-up of keep_nemid gives exactly nemid_end_dates', async () => {
    const conversation = new Conversation();
    const [answer] = await conversation.say('kan jeg beholde nemid?');
    const tapped = await conversation.say(answer!.buttons[0]!);
    expect(tapped).toEqual([expectedAnswer('nemid_end_dates')]);
  });

  const targets = [...new Set([...content.intents.intents.values()].flatMap((i) => i.followUps))];

  it.each(targets.filter((id) => !isCommand(titleOf(id)) && !intent(id).startsGuide).map((id) => [id, titleOf(id)] as const))(
    'tapping the title of %s ("%s") gives exactly that intent',
    async (id, title) => {
      const conversation = new Conversation();
      expect(await conversation.say(title)).toEqual([expectedAnswer(id)]);
    },
  );

  it('the only follow-up titles that are also commands are ones where both mean the same', () => {
    // human_agent is answered by the "human" command on purpose (it hands over to a person).
    expect(targets.filter((id) => isCommand(titleOf(id)))).toEqual(targets.includes('human_agent') ? ['human_agent'] : []);
  });

  it('tapping "Tal med en medarbejder" (human_agent) asks for consent to hand the conversation to a person', async () => {
    const conversation = new Conversation();
    expect(await conversation.say(titleOf('human_agent'))).toEqual([toReply(replies().entry(content.handoff.citizen.consent))]);
  });
});

describe('"Mente du …?" when two intents are close', () => {
  // Genuinely unclear questions; the test uses the first that the recognizer finds ambiguous
  // between two intents whose titles are not commands.
  const CANDIDATES = [
    'kodeviser eller app?',
    'nemid bank',
    'hjælp til pas',
    'mitid app eller kodeviser',
    'mitid i banken',
    'nemid',
    'telefon',
    'mistet kodeviser',
  ];

  function ambiguousQuestion(): { text: string; options: [IntentId, IntentId] } {
    const tried = CANDIDATES.map((text) => ({ text, decision: recognizer.decide(recognizer.recognize(text)) }));
    for (const { text, decision } of tried) {
      if (decision.kind === 'ambiguous' && !isCommand(text) && decision.options.every((id) => !isCommand(titleOf(id)))) {
        return { text, options: decision.options };
      }
    }
    throw new Error(`no candidate question is ambiguous any more:\n${tried.map((t) => `  "${t.text}" → ${JSON.stringify(t.decision)}`).join('\n')}`);
  }

  it('asks with both titles and "Ingen af dem"; tapping a title gives that intent’s answer', async () => {
    const { text, options } = ambiguousQuestion();
    const conversation = new Conversation();
    const asked = await conversation.say(text);
    expect(asked).toEqual([{ text: replies().text(content.messages.didYouMean.text), buttons: [titleOf(options[0]), titleOf(options[1]), 'Ingen af dem'] }]);
    expect(asked[0]!.text).toContain('Mente du');

    expect(await conversation.say(titleOf(options[1]))).toEqual([expectedAnswer(options[1])]);
    expect(await conversation.unanswered.list()).toEqual([]);
  });

  it('"Ingen af dem" gets the noneOfThese message and records the question as unanswered', async () => {
    const { text } = ambiguousQuestion();
    const conversation = new Conversation();
    await conversation.say(text);
    const said = await conversation.say('Ingen af dem');
    expect(said).toEqual([toReply(replies().message('noneOfThese'))]);
    expect(said[0]!.buttons).toEqual(welcomeButtons);
    expect(await conversation.unanswered.list()).toEqual([expect.objectContaining({ text, count: 1, reasons: { none_of_these: 1 } })]);
  });

  it('after a title was picked, a later "Ingen af dem" does not record the old question', async () => {
    const { text, options } = ambiguousQuestion();
    const conversation = new Conversation();
    await conversation.say(text);
    await conversation.say(titleOf(options[0]));
    await conversation.say('Ingen af dem');
    expect(await conversation.unanswered.list()).toEqual([]);
  });
});

describe('out of scope', () => {
  it('an out-of-scope question gets the fallback with its buttons and is recorded as unanswered (none)', async () => {
    const conversation = new Conversation();
    const said = await conversation.say('hvad bliver vejret i morgen i Odense');
    expect(said).toEqual([toReply(replies().message('fallback'))]);
    expect(said[0]!.text).toContain('Det forstod jeg desværre ikke');
    expect(said[0]!.buttons).toEqual(['Hjælp mig med at få MitID', 'Tal med en medarbejder']);
    expect(await conversation.unanswered.list()).toEqual([
      expect.objectContaining({ text: 'hvad bliver vejret i morgen i Odense', count: 1, reasons: { none: 1 } }),
    ]);
  });

  it('CPR, phone and e-mail typed in an out-of-scope question are masked in the unanswered log', async () => {
    const conversation = new Conversation();
    const said = await conversation.say('hvad bliver vejret i morgen i Odense? ring på 12 34 56 78 eller skriv til inge@example.dk, cpr 010190-1234');
    expect(said).toEqual([toReply(replies().message('cprWarning')), toReply(replies().message('fallback'))]);
    const [entry, ...rest] = await conversation.unanswered.list();
    expect(rest).toEqual([]);
    expect(entry?.text).toBe('hvad bliver vejret i morgen i Odense? ring på [telefon] eller skriv til [e-mail], cpr [CPR]');
  });
});

describe('questions inside the guide', () => {
  it('"hvad er en kodeviser?" at Q2 is answered (code_display, without buttons), then Q2 is asked again, and "ja" still answers Q2', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    const said = await conversation.say('hvad er en kodeviser?');
    expect(said).toEqual([{ text: answerText('code_display'), buttons: [] }, question('Q2')]);
    expect(said[0]!.text).toContain('kodeviser eller kodeoplæser');
    expect(said[1]).toEqual({ text: 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?', buttons: ['Ja', 'Nej'] });
    expect(await conversation.say('ja')).toEqual(expectedFrom(content, 'Q3', PINNED_DAYS.after));
  });

  it.each(['nej det har jeg ikke', 'Nej, det har jeg ikke.', 'nej, jeg har ikke noget pas', 'det har jeg ikke'])(
    'an answer with a question word is still an answer: "%s" at Q2 goes to Borgerservice',
    async (text) => {
      const conversation = new Conversation();
      await conversation.say(START);
      const said = await conversation.say(text);
      expect(said).toEqual(expectedFrom(content, 'O3', PINNED_DAYS.after));
      expect(said[0]!.text).toContain('Du kan få MitID i Borgerservice');
      expect(said.at(-1)!.text).toBe('Kan du selv komme fysisk i Borgerservice?');
    },
  );

  it('"nej jeg har ikke en smartphone" at Q4 is an answer (Nej → kodeviser), though the recognizer alone reads it as a question', async () => {
    const text = 'nej jeg har ikke en smartphone';
    // Only meaningful while the recognizer, on its own, would answer this as an FAQ question.
    expect(recognizer.decide(recognizer.recognize(text)).kind).toBe('intent');
    const conversation = new Conversation();
    await conversation.say(START);
    await conversation.say('ja');
    expect((await conversation.say('ja')).at(-1)).toEqual(question('Q4'));
    const said = await conversation.say(text);
    expect(said).toEqual(expectedFrom(content, 'O6', PINNED_DAYS.after));
    expect(said.at(-1)!.text).toBe('Kan du vente så længe med at få adgang til din net- eller mobilbank?');
  });

  // A word inside "det har jeg … ikke" splits the negation; the leading "Nej" decides.
  it('"Nej, det har jeg desværre ikke" at Q2 goes to Borgerservice, not to the Ja path', async () => {
    const conversation = new Conversation();
    await conversation.say(START);
    expect(await conversation.say('Nej, det har jeg desværre ikke')).toEqual(expectedFrom(content, 'O3', PINNED_DAYS.after));
  });
});

describe('the same question on the pinned days', () => {
  it.each(Object.entries(PINNED_DAYS))('"hvornår lukker nemid" on the %s day (%s) gives that day’s answer', async (when, day) => {
    const conversation = new Conversation({ day });
    const said = await conversation.say('hvornår lukker nemid');
    expect(said).toEqual([expectedAnswer('nemid_end_dates', day)]);
    const text = said[0]!.text;
    if (when === 'before' || when === 'midway') {
      expect(text).toContain('Fra 31. oktober 2022 kan NemID ikke længere bruges til netbank');
      expect(text).toContain('NemID lukker endeligt 30. juni 2023');
    } else if (when === 'between') {
      expect(text).toContain('Siden 31. oktober 2022');
      expect(text).toContain('NemID lukker endeligt 30. juni 2023');
    } else {
      expect(text).toContain('NemID lukkede endeligt 30. juni 2023');
      expect(text).not.toMatch(/lukker|stadig bruges/);
    }
  });
});

describe('small talk', () => {
  it('"hej" gets the greeting with its follow-up buttons', async () => {
    const conversation = new Conversation();
    const said = await conversation.say('hej');
    expect(said).toEqual([expectedAnswer('greeting')]);
    expect(said[0]!.text).toContain('Jeg er MitID-hjælperen');
  });

  it('"tak" gets thanks, with the welcome buttons as it has no follow-ups', async () => {
    const conversation = new Conversation();
    const said = await conversation.say('tak');
    expect(said).toEqual([{ text: answerText('thanks'), buttons: [...welcomeButtons] }]);
    expect(said[0]!.text).toContain('Det var så lidt');
  });

  it('"farvel" gets goodbye', async () => {
    const conversation = new Conversation();
    expect(await conversation.say('farvel')).toEqual([expectedAnswer('goodbye')]);
  });
});

describe('the recognizer trace (Bot Framework Emulator)', () => {
  /** The real bot on a TestAdapter that keeps trace activities, on the emulator channel. */
  function emulator() {
    const storage = new MemoryStorage();
    const bot = testBot(storage);
    const adapter = new TestAdapter(
      {
        channelId: 'emulator',
        serviceUrl: 'https://test.com',
        conversation: { id: 'trace-1', isGroup: false, conversationType: 'personal', name: '' },
        user: { id: 'user-1', name: 'Borger' },
        bot: { id: 'bot', name: 'MitID-hjælperen' },
      },
      undefined,
      true,
    );
    return async (text: string): Promise<Array<Partial<Activity>>> => {
      await adapter.processActivity({ type: ActivityTypes.Message, text }, (context) => bot.run(context));
      return adapter.activeQueue.splice(0);
    };
  }

  function isRecognizerResult(value: unknown): value is RecognizerResult {
    return typeof value === 'object' && value !== null && 'text' in value && 'intents' in value && typeof value.intents === 'object';
  }

  async function traceOf(say: (text: string) => Promise<Array<Partial<Activity>>>, text: string) {
    const activities = await say(text);
    const traces = activities.filter((a) => a.type === ActivityTypes.Trace);
    expect(traces).toHaveLength(1);
    const trace = traces[0]!;
    expect(trace.name).toBe('IntentRecognizer');
    expect(trace.label).toBe('Intent');
    expect(trace.valueType).toBe('https://www.botframework.com/schemas/recognizerResult');
    const value: unknown = trace.value;
    if (!isRecognizerResult(value)) throw new Error(`trace value is not a RecognizerResult: ${JSON.stringify(value)}`);
    const ranked = Object.entries(value.intents).map(([id, { score }]) => [id, score ?? Number.NaN] as const);
    return { value, ranked, activities };
  }

  it('"kan jeg beholde nemid" sends a recognizerResult trace with keep_nemid on top, then the answer', async () => {
    const say = emulator();
    const { value, ranked, activities } = await traceOf(say, 'kan jeg beholde nemid');
    expect(value.text).toBe('kan jeg beholde nemid');
    expect(ranked[0]![0]).toBe('keep_nemid');
    const messages = activities.filter((a) => a.type === ActivityTypes.Message).map(toReply);
    expect(messages).toEqual([expectedAnswer('keep_nemid')]);
  });

  it('a free-text question traces every score, best first, as the recognizer computed them', async () => {
    const say = emulator();
    const { value, ranked } = await traceOf(say, 'kan jeg beholde mit nemid');
    expect(ranked.length).toBeGreaterThan(1);
    expect(ranked[0]![0]).toBe('keep_nemid');
    const scores = ranked.map(([, score]) => score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(value.intents).toEqual(recognizer.recognize('kan jeg beholde mit nemid').intents);
  });

  it('a tapped title is taken as exactly that intent (score 1), not guessed', async () => {
    const say = emulator();
    const { ranked } = await traceOf(say, titleOf('stakeholder_meetings'));
    expect(ranked).toEqual([['stakeholder_meetings', 1]]);
  });

  it('an out-of-scope question traces "none" on top', async () => {
    const say = emulator();
    const { ranked } = await traceOf(say, 'hvad bliver vejret i morgen i Odense');
    expect(ranked[0]![0]).toBe('none');
  });
});
