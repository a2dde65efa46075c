import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { MitIdBot } from '../src/bot/mitid-bot';
import { Replies } from '../src/dialogs/replies';
import type { TurnActions } from '../src/bot/turn-actions';
import { turnRows } from '../src/bot/turn-router';
import { fixedClock } from '../src/clock';
import { UnansweredLog } from '../src/nlu/unanswered-log';
import type { MessageReader } from '../src/nlu/message-reader';
import { TeamsDesk } from '../src/teams/teams-desk';
import { Conversation, PINNED_DAYS, content, recognizer, testHandoff, toReply } from './helpers/bot-harness';

const START = 'Hjælp mig med at få MitID';
const replies = new Replies(content, fixedClock(`${PINNED_DAYS.after}T12:00:00+01:00`));
const ANNA = 'aad-anna';

/** A bot whose Teams desk knows one agent, as TEAMS_AGENTS would set it. */
function withTeamsDesk(): Conversation {
  const storage = new MemoryStorage();
  const clock = fixedClock(`${PINNED_DAYS.after}T12:00:00+01:00`);
  const handoff = testHandoff(storage, clock);
  const teams = new TeamsDesk(handoff.service, [{ aadObjectId: ANNA, displayName: 'Anna' }], async () => ({}));
  const bot = new MitIdBot({
    content,
    clock,
    conversationState: new ConversationState(storage),
    recognizer,
    unanswered: new UnansweredLog(storage),
    maxMessageChars: 2000,
    handoff: handoff.service,
    handoffProtocol: 'botframework',
    teams,
  });
  return new Conversation({ storage, clock, handoff, bot, channelId: 'msteams' });
}

const teamsMessage = (fields: Partial<Activity>): Partial<Activity> => ({ type: 'message', channelData: { tenant: { id: 't' } }, ...fields });

interface RowCase {
  /** What happened before the message. */
  before?: string[];
  /** The message (text, or a whole activity). */
  message: string | Partial<Activity>;
  conversation?: () => Conversation;
  /** What the bot must say, checked besides the route. */
  check?: (said: ReturnType<typeof toReply>[], conversation: Conversation) => void | Promise<void>;
}

/** One conversation per row of the router, reaching exactly that row. */
const CASES: Record<string, RowCase> = {
  'teams-not-addressed': {
    conversation: () => new Conversation({ channelId: 'msteams' }),
    message: teamsMessage({ text: 'hvad er en kodeviser', conversation: { id: 'team-1', conversationType: 'channel', isGroup: true, name: '' } }),
    check: (said) => expect(said).toEqual([]),
  },
  'case-card': {
    conversation: () => new Conversation({ channelId: 'msteams' }),
    message: teamsMessage({ text: '', value: { action: 'takeCase', caseId: 'M-1001' } }),
    check: (said) => expect(said[0]!.text).toBe(content.handoff.agent.notOnList.text),
  },
  'agent-desk': {
    conversation: withTeamsDesk,
    message: teamsMessage({ text: '/kø', from: { id: 'anna', name: 'Anna', aadObjectId: ANNA } }),
    check: (said) => expect(said[0]!.text).toBe(content.handoff.agent.queueEmpty.text),
  },
  'guide-outdated': {
    // The same conversation met by a bot whose guide content has changed since it began.
    message: 'ja',
    check: () => {},
  },
  empty: {
    before: [START],
    message: '   ',
    check: (said) => expect(said.map((r) => r.text)).toEqual([replies.text(content.messages.emptyMessage.text), 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?']),
  },
  'too-long': {
    message: 'ja '.repeat(1200),
    check: (said) => expect(said[0]!.text).toContain('for lang'),
  },
  'hand-over': {
    before: ['Tal med en medarbejder', 'Ja, send den videre'],
    message: 'hallo, er der nogen?',
    check: (said) => expect(said[0]!.text).toMatch(/^Jeg har givet din besked videre til sag M-\d{3}-\d{4}|^Din sag har nummer/),
  },
  'cpr-warning': {
    message: 'mit cpr er 010150-1234',
    check: (said) => expect(said[0]).toEqual(toReply(replies.message('cprWarning'))),
  },
  'pending-reply': {
    before: ['skal jeg identitetssikres'],
    message: 'ja tak',
    check: (said) => expect(said[0]).toEqual(toReply(replies.message('guideStart'))),
  },
  command: {
    before: [START],
    message: 'stop',
    check: (said) => expect(said).toEqual([toReply(replies.message('stopped'))]),
  },
  'asks-for-person': {
    // A follow-up about the kodeviser would take "ringe"; the person asked for comes first.
    before: ['hvad er en kodeviser'],
    message: 'kan I ringe mig op, jeg forstår det ikke',
    check: (said) => expect(said[0]!.text).toBe(content.handoff.citizen.consentNoCall.text),
  },
  repair: {
    before: [START, 'nej'],
    message: 'nej vent, jeg har faktisk et pas',
    check: (said) => expect(said[0]).toEqual(toReply(replies.message('corrected'))),
  },
  'tapped-title': {
    message: content.intents.intents.get('stakeholder_meetings')!.title,
    check: (said) => expect(said[0]!.text).toBe(replies.text(content.intents.intents.get('stakeholder_meetings')!.answer)),
  },
  'guide-answer': {
    before: [START],
    message: 'ja',
    check: (said) => expect(said[0]!.text).toContain('smartphone, som kan scanne pas'),
  },
  'follow-up': {
    before: ['hvad er en kodeviser'],
    message: 'hvor lang tid tager det?',
    check: (said) => expect(said[0]!.text).toContain('7-15 hverdage'),
  },
  'yes-or-no-alone': {
    message: 'nej',
    check: (said) => expect(said).toEqual([toReply(replies.message('whatHelp'))]),
  },
  english: {
    message: 'Hello, can you help me get MitID please?',
    check: (said) => expect(said).toEqual([toReply(replies.message('english'))]),
  },
  'question-in-guide': {
    before: [START],
    message: 'hvad er en kodeviser?',
    check: (said) => expect(said.at(-1)!.text).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?'),
  },
  faq: {
    message: 'kan jeg beholde mit nemid',
    check: (said) => expect(said[0]!.text).toBe(replies.text(content.intents.intents.get('keep_nemid')!.answer)),
  },
  fallback: {
    message: 'hvem vinder VM i fodbold',
    check: (said) => expect(said).toEqual([toReply(replies.message('fallback'))]),
  },
};

describe('the turn router', () => {
  const rows = turnRows({ actions: {} as TurnActions, handoff: {} as never, service: {} as never, reader: {} as MessageReader, maxMessageChars: 2000 });

  it('has a test for every row, in the order the rows are tried', () => {
    expect(Object.keys(CASES)).toEqual(rows.map((r) => r.name));
  });

  it.each(Object.entries(CASES).filter(([name]) => name !== 'guide-outdated'))('row "%s"', async (name, rowCase) => {
    const conversation = rowCase.conversation?.() ?? new Conversation();
    for (const text of rowCase.before ?? []) await conversation.say(text);
    const said = await conversation.say(rowCase.message);
    expect(conversation.lastDecision?.route.split(' > ')).toContain(name);
    await rowCase.check?.(said, conversation);
  });

  it('row "guide-outdated": a conversation begun on another guide starts again with a short message', async () => {
    const storage = new MemoryStorage();
    await new Conversation({ storage }).say(START);
    const edited = structuredClone(content);
    edited.guideVersion = 'edited';
    const clock = fixedClock(`${PINNED_DAYS.after}T12:00:00+01:00`);
    const bot = new MitIdBot({ content: edited, clock, conversationState: new ConversationState(storage), recognizer, unanswered: new UnansweredLog(storage), maxMessageChars: 2000, handoff: testHandoff(storage, clock).service, handoffProtocol: 'botframework' });
    const after = new Conversation({ storage, bot });
    const said = await after.say('ja');
    expect(after.lastDecision?.route).toBe('guide-outdated');
    expect(said[0]).toEqual(toReply(replies.message('guideUpdated')));
  });

  it('a row whose run lets the rest decide shows both in the route: the CPR warning, then the answer', async () => {
    const conversation = new Conversation();
    const said = await conversation.say('mit cpr er 010150-1234. kan jeg beholde mit nemid?');
    expect(conversation.lastDecision?.route).toBe('cpr-warning > faq');
    expect(said.map((r) => r.text)).toEqual([replies.text(content.messages.cprWarning.text), replies.text(content.intents.intents.get('keep_nemid')!.answer)]);
  });

  it('the decision carries the text masked, never a CPR number, and says what the bot now waits for', async () => {
    const conversation = new Conversation();
    await conversation.say('mit cpr er 010150-1234 og min mail er a@b.dk');
    expect(conversation.lastDecision?.text).toBe('mit cpr er [CPR] og min mail er [e-mail]');
    await conversation.say('Tal med en medarbejder');
    expect(conversation.lastDecision?.waitingFor).toBe('consent');
    await conversation.say('ja');
    expect(conversation.lastDecision?.bound).toBe('consent: Ja, send den videre');
  });
});
