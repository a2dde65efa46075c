import { MemoryStorage, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { Replies } from '../src/dialogs/replies';
import { BUILT_IN_SERVICE_URL } from '../src/directline/bot-bridge';
import { caseIdFrom, CASE_ID_IN_TEXT, caseChatId, caseOfChat, isCaseId, newCaseId } from '../src/handoff/case-ids';
import { canRead } from '../src/handoff/case-views';
import type { DeskAgent, NewCase } from '../src/handoff/handoff-service';
import { Conversation, content, testHandoff, toReply, type Reply } from './helpers/bot-harness';
import { movableClock } from './helpers/directline-server';

const ANNA: DeskAgent = { username: 'anna', displayName: 'Anna' };
const BO: DeskAgent = { username: 'bo', displayName: 'Bo' };
const SUPERVISOR: DeskAgent = { username: 'sif', displayName: 'Sif', role: 'supervisor' };
const replies = new Replies(content, movableClock());
const citizenText = (id: keyof typeof content.handoff.citizen, vars: Record<string, string | number> = {}): Reply => toReply(replies.entry(content.handoff.citizen[id], vars));
const agentText = (id: keyof typeof content.handoff.agent, vars: Record<string, string | number> = {}): Reply => toReply(replies.entry(content.handoff.agent[id], vars));
const deskChat = (username: string) => ({ channelId: 'directline', serviceUrl: BUILT_IN_SERVICE_URL, conversation: { id: `agent-${username}`, isGroup: false, conversationType: 'personal', name: '' } });

function setUp(maxChats = 3) {
  const clock = movableClock();
  const storage = new MemoryStorage();
  const handoff = testHandoff(storage, clock, { maxChats });
  const service = handoff.service;
  const signIn = async (...agents: DeskAgent[]) => {
    for (const agent of agents) await service.registerAgent(agent, deskChat(agent.username));
  };
  let n = 0;
  /** A citizen's case on the widget (our Direct Line), with what they wrote. */
  const open = async (said = 'Jeg har brug for hjælp', widget = true) => {
    n += 1;
    const input: NewCase = {
      reason: 'asked',
      channelId: widget ? 'directline' : 'test',
      conversation: { serviceUrl: widget ? BUILT_IN_SERVICE_URL : 'https://test.invalid', conversation: { id: `citizen-${n}`, isGroup: false, conversationType: 'personal', name: '' }, user: { id: `user-${n}`, name: '' } },
      guidePath: [],
      recentIntents: [],
      transcript: [{ at: clock.now().toISOString(), from: 'citizen', text: said }],
    };
    return (await service.open(input)).record.id;
  };
  const sentTo = (conversationId: string): Array<Partial<Activity>> => {
    const mine = handoff.messenger.sent.filter((s) => s.conversationId === conversationId).map((s) => s.activity);
    handoff.messenger.sent.splice(0, handoff.messenger.sent.length, ...handoff.messenger.sent.filter((s) => s.conversationId !== conversationId));
    return mine;
  };
  return { clock, storage, handoff, service, signIn, open, sentTo };
}

describe('case ids', () => {
  it('are random, seven digits in two groups, not a phone number, and read back from what an agent types', () => {
    const ids = new Set(Array.from({ length: 200 }, () => caseIdFrom(CASE_ID_IN_TEXT.exec(`sag ${newCaseId()}`)![0])));
    expect(ids.size).toBeGreaterThan(195);
    for (const id of ids) expect(id).toMatch(/^M-\d{3}-\d{4}$/);
    expect(caseIdFrom('m-482-1773')).toBe('M-482-1773');
    expect(caseIdFrom('482 1773')).toBe('M-482-1773');
    expect(caseIdFrom('M-1042')).toBe('M-1042');
    expect(isCaseId('M-482-1773') && isCaseId('M-1042') && !isCaseId('../x') && !isCaseId('M-48217730')).toBe(true);
    expect(caseOfChat(caseChatId('anna.b', 'M-482-1773'))).toBe('M-482-1773');
    expect(caseOfChat('agent-anna')).toBeUndefined();
  });

  it('two cases opened one after the other get ids that do not follow each other', async () => {
    const { open } = setUp();
    const first = await open();
    const second = await open();
    const digits = (id: string) => Number(id.replace(/\D/g, ''));
    expect(Math.abs(digits(second) - digits(first))).not.toBe(1);
  });
});

describe('several chats per agent', () => {
  it('takes up to AGENT_MAX_CHATS cases; the next is refused as busy until one ends', async () => {
    const { service, signIn, open } = setUp(2);
    await signIn(ANNA);
    const [a, b, c] = [await open(), await open(), await open()];
    await service.take(a, ANNA);
    await service.take(b, ANNA);
    await expect(service.take(c, ANNA)).rejects.toMatchObject({ code: 'busy' });
    expect((await service.get(c))!.status).toBe('queued');
    expect((await service.activeCases(ANNA)).map((x) => x.id)).toEqual([a, b]);
    await service.close(ANNA, a);
    expect((await service.take(c, ANNA)).agent?.id).toBe('anna');
  });

  it('is atomic per agent: of five takes at once with room for two, exactly two win and the rest stay queued', async () => {
    const { service, signIn, open } = setUp(2);
    await signIn(ANNA);
    const ids = [await open(), await open(), await open(), await open(), await open()];
    const results = await Promise.allSettled(ids.map((id) => service.take(id, ANNA)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['busy', 'busy', 'busy']);
    const cases = await Promise.all(ids.map((id) => service.get(id)));
    expect(cases.filter((x) => x!.status === 'assigned')).toHaveLength(2);
    expect((await service.activeCases(ANNA)).length).toBe(2);
  });

  it('each citizen gets only the lines written in their own case; a line without a case is refused when there are several', async () => {
    const { service, signIn, open, sentTo } = setUp();
    await signIn(ANNA);
    const [a, b] = [await open(), await open()];
    await service.take(a, ANNA);
    await service.take(b, ANNA);
    sentTo('citizen-1');
    sentTo('citizen-2');
    await service.agentSaid(ANNA, 'Til den første', a);
    await service.agentSaid(ANNA, 'Til den anden', b);
    expect(sentTo('citizen-1').map((x) => x.text)).toEqual(['Til den første']);
    expect(sentTo('citizen-2').map((x) => x.text)).toEqual(['Til den anden']);
    await expect(service.agentSaid(ANNA, 'Til hvem?')).rejects.toMatchObject({ code: 'not_found' });
  });

  it("the agent's own chat for a case gets the summary and the citizen's lines and typing, as plain text", async () => {
    const { service, signIn, open, sentTo } = setUp();
    await signIn(ANNA);
    const id = await open('<img src=x onerror=alert(1)> [klik](https://example.com) **fed**');
    await service.take(id, ANNA);
    const chat = { ...deskChat('anna'), conversation: { id: caseChatId('anna', id), isGroup: false, conversationType: 'personal', name: '' } };
    await service.openCaseChat(ANNA, id, chat);
    const [summary] = sentTo(caseChatId('anna', id));
    expect(summary).toMatchObject({ textFormat: 'plain' });
    expect(summary!.text).toContain('<img src=x onerror=alert(1)> [klik](https://example.com) **fed**');
    await service.citizenSaid(id, '<h1>stor</h1>');
    await service.citizenTyping(id);
    const relayed = sentTo(caseChatId('anna', id));
    expect(relayed[0]).toMatchObject({ textFormat: 'plain', text: agentText('fromCitizen', { caseId: id, text: '<h1>stor</h1>' }).text });
    expect(relayed[1]).toMatchObject({ type: 'typing' });
    expect(sentTo('agent-anna').filter((x) => x.type === 'message' && x.text?.includes('<h1>'))).toEqual([]);
  });

  it("the agent's typing and words reach the citizen marked with her name: plain on the widget, named elsewhere", async () => {
    const { service, signIn, open, sentTo } = setUp();
    await signIn(ANNA);
    const widget = await open();
    const other = await open('hej', false);
    await service.take(widget, ANNA);
    await service.take(other, ANNA);
    sentTo('citizen-1');
    sentTo('citizen-2');
    await service.agentTyping(ANNA, widget);
    await service.agentSaid(ANNA, 'Hej', widget);
    await service.agentSaid(ANNA, 'Hej', other);
    expect(sentTo('citizen-1')).toEqual([
      { type: 'typing', channelData: { mitidAgent: { name: 'Anna' } } },
      expect.objectContaining({ text: 'Hej', channelData: { mitidAgent: { name: 'Anna' } } }),
    ]);
    expect(sentTo('citizen-2')).toEqual([expect.objectContaining({ text: citizenText('fromAgentNamed', { agent: 'Anna', text: 'Hej' }).text })]);
    // Typing in a case that is not hers reaches nobody.
    await service.agentTyping(BO, widget);
    expect(sentTo('citizen-1')).toEqual([]);
  });

  it('a canned reply from dialogs/handoff.yaml goes out as the agent’s own words and is kept on the case', async () => {
    const { service, signIn, open, sentTo } = setUp();
    await signIn(ANNA);
    const id = await open();
    await service.take(id, ANNA);
    sentTo('citizen-1');
    expect(await service.sendTemplate(ANNA, 'findes-ikke', id)).toBeUndefined();
    await service.sendTemplate(ANNA, 'Kodeviser', id);
    const text = content.handoff.templates.kodeviser!.text;
    expect(sentTo('citizen-1').map((x) => x.text)).toEqual([text]);
    expect((await service.get(id))!.transcript.at(-1)).toMatchObject({ from: 'agent', name: 'Anna', text });
  });
});

describe('transfer', () => {
  it('to a named colleague: the case is hers, the citizen is told who, both agents are told, the slot moves', async () => {
    const { service, signIn, open, sentTo } = setUp();
    await signIn(ANNA, BO);
    const id = await open();
    await service.take(id, ANNA);
    sentTo('citizen-1');
    sentTo('agent-anna');
    sentTo('agent-bo');
    const moved = await service.transfer(ANNA, id, BO, 'Borgeren har CPR 010203-1234 og vil tale med Bo');
    expect(moved).toMatchObject({ status: 'assigned', agent: { id: 'bo', name: 'Bo' }, handledBy: ['anna', 'bo'] });
    expect(moved.transfers).toEqual([{ at: expect.any(String), from: { id: 'anna', name: 'Anna' }, to: { id: 'bo', name: 'Bo' }, note: 'Borgeren har CPR [CPR] og vil tale med Bo' }]);
    expect(sentTo('citizen-1').map(toReply)).toEqual([citizenText('transferred', { agent: 'Bo' })]);
    expect(sentTo('agent-bo').map(toReply)[0]).toEqual(agentText('transferredToYou', { from: 'Anna', caseId: id, note: 'Borgeren har CPR [CPR] og vil tale med Bo' }));
    expect(sentTo('agent-anna').map(toReply)).toEqual([agentText('transferredAway', { caseId: id, to: 'Bo' })]);
    expect(await service.activeCases(ANNA)).toEqual([]);
    expect((await service.activeCases(BO)).map((c) => c.id)).toEqual([id]);
    await expect(service.agentSaid(ANNA, 'hej', id)).rejects.toMatchObject({ code: 'not_yours' });
  });

  it('to a colleague with no free chat is refused, and the case stays with the agent', async () => {
    const { service, signIn, open } = setUp(1);
    await signIn(ANNA, BO);
    const [mine, bos] = [await open(), await open()];
    await service.take(mine, ANNA);
    await service.take(bos, BO);
    await expect(service.transfer(ANNA, mine, BO)).rejects.toMatchObject({ code: 'busy' });
    expect((await service.get(mine))!.agent?.id).toBe('anna');
  });

  it('back to the queue: waiting again, the note kept, the citizen told their place, others notified', async () => {
    const { service, signIn, open, sentTo } = setUp();
    await signIn(ANNA, BO);
    const id = await open();
    await service.take(id, ANNA);
    sentTo('citizen-1');
    sentTo('agent-bo');
    const moved = await service.transfer(ANNA, id, undefined, 'Kræver en kollega med adgang');
    expect(moved.status).toBe('queued');
    expect(moved.agent).toBeUndefined();
    expect(moved.notes.at(-1)).toMatchObject({ agent: 'Anna', text: 'Kræver en kollega med adgang' });
    expect(sentTo('citizen-1').map(toReply)).toEqual([citizenText('transferredToQueue', { agent: 'Anna', position: 1 })]);
    expect(sentTo('agent-bo').map((x) => x.text)).toEqual([agentText('newCase', { caseId: id, reason: content.handoff.agent.reasonAsked.text, count: 1 }).text]);
    expect((await service.take(id, BO)).agent?.id).toBe('bo');
  });
});

describe('presence', () => {
  it('an away agent gets no new-case notice; an available one does', async () => {
    const { service, signIn, open, sentTo } = setUp();
    await signIn(ANNA, BO);
    await service.roster.setPresence(BO, 'away');
    await open();
    expect(sentTo('agent-bo')).toEqual([]);
    expect(sentTo('agent-anna')).toHaveLength(1);
    expect((await service.roster.colleagues()).map((c) => [c.username, c.presence])).toEqual([
      ['anna', 'available'],
      ['bo', 'away'],
    ]);
  });
});

describe('history, roles and scores', () => {
  it('keeps ended cases, searchable by id, words and date; an agent sees her own, a supervisor all', async () => {
    const { service, signIn, open, clock } = setUp();
    await signIn(ANNA, BO, SUPERVISOR);
    const annas = await open('Hvornår kommer min kodeviser?');
    const bos = await open('Jeg har mistet mit pas');
    const waiting = await open('Jeg venter stadig');
    await service.take(annas, ANNA);
    await service.take(bos, BO);
    await service.close(ANNA, annas);
    await service.handBack(BO, bos);
    await service.rate(annas, 5);

    expect((await service.history.search(ANNA, {})).map((c) => c.id)).toEqual([annas]);
    expect((await service.history.search(SUPERVISOR, {})).map((c) => c.id).sort()).toEqual([annas, bos].sort());
    expect(await service.history.search(ANNA, { caseId: bos })).toEqual([]);
    expect((await service.history.search(SUPERVISOR, { words: 'kodeviseR' })).map((c) => c.id)).toEqual([annas]);
    expect((await service.history.search(SUPERVISOR, { words: 'pas mistet' })).map((c) => c.id)).toEqual([bos]);
    expect(await service.history.search(SUPERVISOR, { words: 'venter' })).toEqual([]);
    expect((await service.history.search(SUPERVISOR, { caseId: annas }))[0]).toMatchObject({ id: annas, status: 'closed', satisfaction: 5, agent: { id: 'anna' } });
    expect(await service.history.search(SUPERVISOR, { from: '2026-11-22', to: '2026-11-30' })).toEqual([]);
    expect(await service.get(waiting)).toMatchObject({ status: 'queued' });

    const bosCase = (await service.get(bos))!;
    expect([canRead(ANNA, bosCase), canRead(BO, bosCase), canRead(SUPERVISOR, bosCase)]).toEqual([false, true, true]);
    clock.advance(91 * 86_400_000);
    expect(await service.history.prune()).toBe(2);
    expect(await service.get(annas)).toBeUndefined();
  });

  it('a returning person’s new case lists the earlier ones', async () => {
    const clock = movableClock();
    const storage = new MemoryStorage();
    const handoff = testHandoff(storage, clock);
    await handoff.service.registerAgent(ANNA, deskChat('anna'));
    const citizen = new Conversation({ clock, storage, handoff, conversationId: 'returning' });
    const escalate = async () => {
      await citizen.say('Tal med en medarbejder');
      return CASE_ID_IN_TEXT.exec((await citizen.say('Ja, send den videre')).map((r) => r.text).join(' '))![0];
    };
    const first = await escalate();
    await citizen.say('annuller');
    const second = await escalate();
    expect(second).not.toBe(first);
    expect((await handoff.service.get(second))!.earlierCaseIds).toEqual([first]);
  });

  it('scores add up per agent and overall, only the first answer counts', async () => {
    const { service, signIn, open } = setUp();
    await signIn(ANNA, BO);
    const ids = [await open(), await open(), await open()];
    await service.take(ids[0]!, ANNA);
    await service.take(ids[1]!, ANNA);
    await service.take(ids[2]!, BO);
    for (const id of ids) await service.close(id === ids[2] ? BO : ANNA, id);
    await service.rate(ids[0]!, 4);
    await service.rate(ids[0]!, 1);
    await service.rate(ids[1]!, 2);
    await service.rate(ids[2]!, 5);
    const totals = await service.store.scores();
    expect(totals.counts).toEqual({ '2': 1, '4': 1, '5': 1 });
    expect(totals.agents).toEqual({ anna: { name: 'Anna', closed: 2, rated: 2, sum: 6 }, bo: { name: 'Bo', closed: 1, rated: 1, sum: 5 } });
  });
});
