import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { MemoryStorage, type Activity } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { Replies } from '../src/dialogs/replies';
import { createHandoff } from '../src/handoff';
import { HandoffRefusal } from '../src/handoff/case-store';
import type { HandoffCase } from '../src/handoff/case';
import { createLogger } from '../src/logger';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite-storage';
import { Conversation, RecordingMessenger, content, testHandoff, toReply, type Reply } from './helpers/bot-harness';
import { movableClock } from './helpers/directline-server';
import { CASE_ID_IN_TEXT } from '../src/handoff/case-ids';

const CONSENT_YES = 'Ja, send den videre';
const replies = (clock = movableClock()) => new Replies(content, clock);
const citizenText = (id: keyof typeof content.handoff.citizen, vars: Record<string, string | number> = {}): Reply => toReply(replies().entry(content.handoff.citizen[id], vars));
const agentText = (id: keyof typeof content.handoff.agent, vars: Record<string, string | number> = {}): Reply => toReply(replies().entry(content.handoff.agent[id], vars));
const otherHelp = content.handoff.citizen.otherHelp.text;
const ANNA = { username: 'anna', displayName: 'Anna' };
const BO = { username: 'bo', displayName: 'Bo' };
const agentConversation = (username: string) => ({ channelId: 'directline', serviceUrl: 'http://agents.invalid', conversation: { id: `agent-${username}`, isGroup: false, conversationType: 'personal', name: '' } });

/** A citizen in memory with a movable clock; `signIn` makes an agent present, as the agent page does. */
function setUp(options: { hub?: 'builtin' | 'external'; protocol?: 'botframework' | 'omnichannel'; storage?: MemoryStorage | SqliteStorage; maxChats?: number } = {}) {
  const clock = movableClock();
  const storage = options.storage ?? new MemoryStorage();
  const handoff = testHandoff(storage, clock, { hub: options.hub, waitSeconds: 300, ...(options.maxChats ? { maxChats: options.maxChats } : {}) });
  const citizen = new Conversation({ clock, storage, handoff, handoffProtocol: options.protocol });
  const signIn = async (agent = ANNA) => handoff.service.registerAgent(agent, agentConversation(agent.username));
  return { clock, storage, handoff, citizen, signIn, service: handoff.service, messenger: handoff.messenger };
}

/** Asks for a person, agrees, and returns the case id the bot gave. */
async function escalate(citizen: Conversation): Promise<{ caseId: string; said: Reply[] }> {
  await citizen.say('Tal med en medarbejder');
  const said = await citizen.say(CONSENT_YES);
  const caseId = CASE_ID_IN_TEXT.exec(said.map((r) => r.text).join(' '))?.[0];
  if (!caseId) throw new Error(`no case id in ${JSON.stringify(said)}`);
  return { caseId, said };
}

describe('asking for a person', () => {
  it('says what happens next and asks for consent before anything is shared', async () => {
    const { citizen, service } = setUp();
    expect(await citizen.say('Tal med en medarbejder')).toEqual([citizenText('consent')]);
    expect(await service.queue()).toEqual([]);
  });

  it('"Nej tak" shares nothing and the bot goes on', async () => {
    const { citizen, service } = setUp();
    await citizen.say('Tal med en medarbejder');
    expect(await citizen.say('Nej tak')).toEqual([citizenText('declined')]);
    expect(await service.queue()).toEqual([]);
  });

  it('the human_agent intent in free text ("kan jeg få fat i et rigtigt menneske") leads to the same consent', async () => {
    const { citizen } = setUp();
    expect(await citizen.say('kan jeg få fat i et rigtigt menneske')).toEqual([citizenText('consent')]);
  });

  it('with no agent signed in: a case id, the news that nobody is there, and the other ways from the sources', async () => {
    const { citizen, service } = setUp();
    const { caseId, said } = await escalate(citizen);
    expect(said).toEqual([citizenText('noAgents', { caseId, otherHelp })]);
    expect(said[0]!.text).toContain('bank');
    expect((await service.queue()).map((c) => [c.id, c.status])).toEqual([[caseId, 'queued']]);
  });

  it('the queue shows the citizen\'s last real line, not "Tal med en medarbejder" or the consent button', async () => {
    const { citizen, service } = setUp();
    await citizen.say('min kodeviser virker ikke');
    await escalate(citizen);
    expect((await service.queue())[0]!.lastCitizenLine).toBe('min kodeviser virker ikke');
  });

  it('with an agent signed in: the place in the queue, and the agent is told about the new case', async () => {
    const { citizen, signIn, messenger } = setUp();
    await signIn();
    const { caseId, said } = await escalate(citizen);
    expect(said).toEqual([citizenText('queued', { caseId, position: 1 })]);
    expect(messenger.take('agent-anna')).toEqual([agentText('newCase', { caseId, reason: content.handoff.agent.reasonAsked.text, count: 1 })]);
  });

  it('two fallbacks in a row offer a person (after one, the ordinary fallback)', async () => {
    const { citizen, service } = setUp();
    const first = await citizen.say('hvad koster en pizza');
    expect(first[0]!.text).toBe(content.messages.fallback.text.variants[0]!.value);
    expect(await citizen.say('hvem vinder VM i fodbold')).toEqual([citizenText('offerAfterFallbacks')]);
    await citizen.say(CONSENT_YES);
    expect((await service.queue())[0]!.reason).toBe(content.handoff.agent.reasonFallbacks.text);
  });

  it('an understood question between two fallbacks starts the count again', async () => {
    const { citizen } = setUp();
    await citizen.say('hvad koster en pizza');
    await citizen.say('hvad er en kodeviser');
    const third = await citizen.say('hvem vinder VM i fodbold');
    expect(third[0]!.text).toBe(content.messages.fallback.text.variants[0]!.value);
  });
});

describe('what the agent gets', () => {
  it('the guide path with answers, recent intents, channel and a masked transcript', async () => {
    const { citizen, service, signIn, messenger, clock } = setUp();
    await citizen.say('hvad er en kodeviser');
    await citizen.say('Mit CPR-nummer er 010203-1234, ring på 12 34 56 78 eller skriv til jens@example.dk');
    await citizen.say('Hjælp mig med at få MitID');
    await citizen.say('Ja');
    await citizen.say('Nej');
    const { caseId } = await escalate(citizen);
    const stored = (await service.get(caseId))!;
    expect(stored.guidePath).toEqual(['Q2 Ja', 'Q3 Nej', 'Borgerservice', `Q6 ${content.labels.unanswered}`]);
    // The guide's "Ja"/"Nej" are answers, not topics, even where they resemble an intent.
    expect(stored.recentIntents).toEqual(['code_display', 'none']);
    expect(stored.channelId).toBe('test');
    const all = JSON.stringify(stored);
    expect(all).not.toMatch(/010203|12 34 56 78|jens@example/);
    expect(all).toContain('Mit CPR-nummer er [CPR], ring på [telefon] eller skriv til [e-mail]');

    await signIn();
    messenger.take('agent-anna');
    clock.advance(3 * 60_000);
    await service.take(caseId, ANNA);
    const [summary, taken] = messenger.take('agent-anna');
    expect(summary!.text).toContain(`Sag ${caseId} · kanal: test · ventede 3 min`);
    expect(summary!.text).toContain(`Q2 Ja → Q3 Nej → Borgerservice → Q6 ${content.labels.unanswered}`);
    expect(summary!.text).toContain(content.intents.intents.get('code_display')!.title);
    expect(summary!.text).toContain(`- ${content.handoff.labels.citizen}: Mit CPR-nummer er [CPR]`);
    expect(summary!.text).toContain(`- ${content.labels.botName}: `);
    expect(summary!.text).not.toMatch(/010203|jens@example/);
    expect(taken).toEqual(agentText('taken', { caseId }));
  });

  it('the bot sends Bot Framework\'s handoff.initiate event with the masked transcript attached', async () => {
    const { citizen } = setUp();
    await citizen.say('min mail er jens@example.dk');
    await citizen.say('Tal med en medarbejder');
    await citizen.say(CONSENT_YES);
    const event = citizen.lastActivities.find((a) => a.type === 'event') as Activity;
    expect(event.name).toBe('handoff.initiate');
    expect(event.value).toMatchObject({ caseId: expect.stringMatching(/^M-\d{3}-\d{4}$/), reason: 'asked', channelId: 'test' });
    expect(event.relatesTo?.conversation.id).toBe('conv-1');
    const attachment = event.attachments![0]!;
    expect(attachment).toMatchObject({ contentType: 'application/json', name: 'Transcript' });
    const transcript = (attachment.content as { activities: Array<Partial<Activity>> }).activities;
    expect(transcript.map((a) => a.text)).toContain('min mail er [e-mail]');
    expect(transcript.every((a) => a.type === 'message' && a.from?.id)).toBe(true);
    expect(JSON.stringify(event)).not.toContain('jens@example.dk');
  });

  it('with HANDOFF_PROTOCOL=omnichannel the escalation is tagged as Dynamics 365 Omnichannel expects instead', async () => {
    const { citizen } = setUp({ protocol: 'omnichannel' });
    await citizen.say('Tal med en medarbejder');
    await citizen.say(CONSENT_YES);
    expect(citizen.lastActivities.some((a) => a.name === 'handoff.initiate')).toBe(false);
    const tagged = citizen.lastActivities.find((a) => a.channelData?.tags)!;
    const tags = JSON.parse(tagged.channelData.tags as string) as { type: string; context: Record<string, unknown> };
    expect(tagged.type).toBe('message');
    expect(tags.type).toBe('Escalate');
    expect(tags.context).toMatchObject({ caseId: expect.stringMatching(/^M-\d{3}-\d{4}$/), reason: 'asked' });
    // The agent reads the case in words, as content words it.
    const caseId = tags.context.caseId as string;
    expect(tagged.text).toBe(agentText('escalation', { caseId, reason: content.handoff.agent.reasonAsked.text, path: '–' }).text);
  });
});

describe('waiting in the queue', () => {
  it('the person is never left in silence: after HANDOFF_WAIT_SECONDS they are told once, with the other ways', async () => {
    const { citizen, service, messenger, clock } = setUp();
    const { caseId } = await escalate(citizen);
    clock.advance(299_000);
    expect(await service.sweep()).toBe(0);
    clock.advance(2_000);
    expect(await service.sweep()).toBe(1);
    expect(messenger.take('conv-1')).toEqual([citizenText('timeout', { minutes: 5, otherHelp })]);
    expect(await service.sweep()).toBe(0);
    expect((await service.get(caseId))!.status).toBe('queued');
  });

  it('"Bliv i køen" keeps the place and starts the wait again; they are told again after another wait', async () => {
    const { citizen, service, messenger, clock } = setUp();
    await escalate(citizen);
    clock.advance(301_000);
    await service.sweep();
    messenger.take('conv-1');
    expect(await citizen.say('Bliv i køen')).toEqual([citizenText('keepWaiting')]);
    clock.advance(200_000);
    expect(await service.sweep()).toBe(0);
    clock.advance(101_000);
    expect(await service.sweep()).toBe(1);
  });

  it('a message while waiting is kept on the case and answered with the place in the queue', async () => {
    const { citizen, service } = setUp();
    const { caseId } = await escalate(citizen);
    expect(await citizen.say('hvor længe skal jeg vente?')).toEqual([citizenText('stillQueued', { caseId, position: 1 })]);
    expect((await service.get(caseId))!.transcript.at(-1)).toMatchObject({ from: 'citizen', text: 'hvor længe skal jeg vente?' });
  });

  it('"annuller" leaves the queue at any time and the bot answers again', async () => {
    const { citizen, service } = setUp();
    const { caseId } = await escalate(citizen);
    expect(await citizen.say('annuller')).toEqual([citizenText('cancelled', { caseId })]);
    expect((await service.get(caseId))!.status).toBe('cancelled');
    expect(await service.queue()).toEqual([]);
    const answer = await citizen.say('hvad er en kodeviser');
    expect(answer[0]!.text).toContain('kodeviser');
  });
});

describe('an agent on the case', () => {
  async function taken(options: { maxChats?: number } = {}) {
    const setup = setUp(options);
    await setup.signIn();
    const { caseId } = await escalate(setup.citizen);
    await setup.service.take(caseId, ANNA);
    setup.messenger.take('agent-anna');
    return { ...setup, caseId };
  }

  it('the citizen sees "Du er nu i kontakt med en medarbejder", then the agent\'s messages; the bot stays quiet', async () => {
    const { citizen, service, messenger, caseId } = await taken();
    expect(messenger.take('conv-1')).toEqual([citizenText('connected', { agent: 'Anna' })]);
    expect(messenger.sent.length).toBe(0);
    expect(citizenText('connected', { agent: 'Anna' }).text).toContain('Du er nu i kontakt med en medarbejder');
    await service.agentSaid(ANNA, 'Hej, jeg hedder Anna. Ring evt. på 70 20 70 20.');
    // Outside the widget (which shows her name and avatar itself) the line carries her name in front.
    expect(messenger.take('conv-1')).toEqual([citizenText('fromAgentNamed', { agent: 'Anna', text: 'Hej, jeg hedder Anna. Ring evt. på 70 20 70 20.' })]);
    // The bot does not answer the citizen itself; the agent gets the message, masked.
    expect(await citizen.say('hvad er en kodeviser? mit nummer er 12345678')).toEqual([]);
    expect(messenger.take('agent-anna')).toEqual([agentText('fromCitizen', { caseId, text: 'hvad er en kodeviser? mit nummer er [telefon]' })]);
    expect((await service.get(caseId))!.transcript.slice(-2).map((l) => [l.from, l.text])).toEqual([
      ['agent', 'Hej, jeg hedder Anna. Ring evt. på [telefon].'],
      ['citizen', 'hvad er en kodeviser? mit nummer er [telefon]'],
    ]);
  });

  it('notes are stored on the case, masked, and never reach the citizen', async () => {
    const { service, messenger, caseId } = await taken();
    messenger.take('conv-1');
    await service.note(ANNA, caseId, 'Borgeren har CPR 010203-1234, skal ringe til banken');
    expect((await service.get(caseId))!.notes).toEqual([{ at: expect.any(String), agent: 'Anna', text: 'Borgeren har CPR [CPR], skal ringe til banken' }]);
    expect(messenger.take('conv-1')).toEqual([]);
    expect(messenger.take('agent-anna')).toEqual([agentText('noteSaved', { caseId })]);
  });

  it('closing brings the bot back with one satisfaction question (1–5), stored with the case', async () => {
    const { citizen, service, messenger, caseId } = await taken();
    messenger.take('conv-1');
    await service.close(ANNA, caseId);
    expect(messenger.take('conv-1')).toEqual([citizenText('closed', { agent: 'Anna' }), citizenText('satisfaction')]);
    expect(citizenText('satisfaction').buttons).toEqual(['1', '2', '3', '4', '5']);
    expect(await citizen.say('4')).toEqual([citizenText('thanks')]);
    expect((await service.get(caseId))!.satisfaction).toBe(4);
    const after = await citizen.say('hvad er en kodeviser');
    expect(after[0]!.text).toContain('kodeviser');
  });

  it('a reply that is not 1–5 after closing is simply answered by the bot (no rating stored)', async () => {
    const { citizen, service, caseId } = await taken();
    await service.close(ANNA, caseId);
    const said = await citizen.say('hvad er en kodeviser');
    expect(said[0]!.text).toContain('kodeviser');
    expect((await service.get(caseId))!.satisfaction).toBeUndefined();
  });

  it('handing back to the bot: the citizen is told, and the bot answers the next message', async () => {
    const { citizen, service, messenger, caseId } = await taken();
    messenger.take('conv-1');
    await service.handBack(ANNA, caseId);
    expect(messenger.take('conv-1')).toEqual([citizenText('handedBack', { agent: 'Anna' })]);
    expect((await service.get(caseId))!.status).toBe('returned');
    expect(await service.activeCase(ANNA)).toBeUndefined();
    expect((await citizen.say('Hjælp mig med at få MitID')).length).toBeGreaterThan(0);
  });

  it('the citizen leaving an assigned case tells the agent', async () => {
    const { citizen, messenger, caseId } = await taken();
    await citizen.say('annuller');
    expect(messenger.take('agent-anna')).toEqual([agentText('citizenLeft', { caseId })]);
  });

  it('an agent cannot take more cases than AGENT_MAX_CHATS allows, nor end a case that is not theirs', async () => {
    const { service, caseId, storage, clock, handoff } = await taken({ maxChats: 1 });
    const second = new Conversation({ clock, storage, handoff, conversationId: 'conv-2' });
    const { caseId: secondId } = await escalate(second);
    await expect(service.take(secondId, ANNA)).rejects.toMatchObject({ code: 'busy' });
    await expect(service.close(BO, caseId)).rejects.toMatchObject({ code: 'not_yours' });
    await service.close(ANNA, caseId);
    expect((await service.take(secondId, ANNA)).agent).toEqual({ id: 'anna', name: 'Anna' });
  });
});

describe('two agents and one case', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('on the real SQLite storage, exactly one of two simultaneous takes wins; the other is refused', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mitid-take-'));
    const storage = await openSqliteStorage({ DATA_DIR: dir, STORAGE_FSYNC: false });
    const { citizen, service, signIn, handoff } = setUp({ storage });
    await handoff.store.init();
    await signIn(ANNA);
    await signIn(BO);
    const { caseId } = await escalate(citizen);
    const results = await Promise.allSettled([service.take(caseId, ANNA), service.take(caseId, BO)]);
    const won = results.filter((r): r is PromiseFulfilledResult<HandoffCase> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(HandoffRefusal);
    expect((lost[0]!.reason as HandoffRefusal).code).toBe('already_taken');
    expect((await service.get(caseId))!.agent!.id).toBe(won[0]!.value.agent!.id);
  });

  it('a hundred cases opened at once are all in the queue (the open list loses no update)', async () => {
    const clock = movableClock();
    const storage = new MemoryStorage();
    const { service, store } = createHandoff({ storage, content, clock, logger: createLogger('silent'), messenger: new RecordingMessenger() });
    await store.init();
    const opened = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        service.open({ reason: 'asked', channelId: 'test', conversation: { conversation: { id: `c${i}`, isGroup: false, conversationType: 'personal', name: '' } }, guidePath: [], recentIntents: [], transcript: [] }),
      ),
    );
    expect(new Set(opened.map((o) => o.record.id)).size).toBe(100);
    expect((await service.queue()).length).toBe(100);
  });
});

describe('handoff.status from a contact-centre hub (AGENT_HUB=external)', () => {
  const status = (state: string) => ({ type: 'event', name: 'handoff.status', value: { state, message: '' } }) as Partial<Activity>;

  it('escalation waits for the hub; accepted connects, completed closes and asks for satisfaction', async () => {
    const { citizen, service } = setUp({ hub: 'external' });
    const { caseId, said } = await escalate(citizen);
    expect(said).toEqual([citizenText('sentToHub', { caseId })]);
    expect((await service.get(caseId))!.status).toBe('external');
    expect(await citizen.say('er der nogen?')).toEqual([citizenText('waitingForHub', { caseId })]);
    const hub = content.handoff.labels.hub;
    expect(await citizen.say(status('accepted'))).toEqual([citizenText('connected', { agent: hub })]);
    expect((await service.get(caseId))!.status).toBe('assigned');
    expect(await citizen.say(status('completed'))).toEqual([citizenText('closed', { agent: hub }), citizenText('satisfaction')]);
    expect(await citizen.say('5')).toEqual([citizenText('thanks')]);
    expect((await service.get(caseId))!.satisfaction).toBe(5);
  });

  it('failed tells the person and gives the other ways; the bot is back', async () => {
    const { citizen, service } = setUp({ hub: 'external' });
    const { caseId } = await escalate(citizen);
    expect(await citizen.say(status('failed'))).toEqual([citizenText('failed', { otherHelp })]);
    expect((await service.get(caseId))!.status).toBe('failed');
    expect((await citizen.say('hvad er en kodeviser'))[0]!.text).toContain('kodeviser');
  });

  it('an unknown state, or a status with our own hub, changes nothing', async () => {
    const external = setUp({ hub: 'external' });
    const { caseId } = await escalate(external.citizen);
    expect(await external.citizen.say(status('maybe'))).toEqual([]);
    expect((await external.service.get(caseId))!.status).toBe('external');

    const builtin = setUp();
    const own = await escalate(builtin.citizen);
    expect(await builtin.citizen.say(status('completed'))).toEqual([]);
    expect((await builtin.service.get(own.caseId))!.status).toBe('queued');
  });
});

describe('personal data in logs', () => {
  it('nothing the citizen typed reaches the log unmasked, also when a hand-over fails to deliver', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger('debug', sink);
    const clock = movableClock();
    const storage = new MemoryStorage();
    const failing = { send: async () => Promise.reject(new Error('could not reach 010203-1234 at jens@example.dk, phone 12345678')) };
    const handoff = { ...createHandoff({ storage, content, clock, logger, messenger: failing }), messenger: new RecordingMessenger() };
    const citizen = new Conversation({ clock, storage, handoff });
    await handoff.service.registerAgent(ANNA, agentConversation('anna'));
    await citizen.say('mit cpr er 010203-1234 og min mail jens@example.dk');
    const { caseId } = await escalate(citizen);
    await handoff.service.take(caseId, ANNA);
    await citizen.say('ring til mig på 12345678');
    const log = lines.join('');
    expect(log).toContain('could not deliver a handoff message');
    expect(log).toContain('[CPR]');
    expect(log).not.toMatch(/010203-1234|jens@example\.dk|12345678/);
  });
});
