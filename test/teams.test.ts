import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceTitlesOf } from '../src/content/labels';
import { fill } from '../src/content/placeholders';
import { Replies } from '../src/dialogs/replies';
import { CASE_ID_IN_TEXT } from '../src/handoff/case-ids';
import { loadYaml } from '../src/content/yaml';
import { defaultTeamsContentFile, teamsAppSchema } from '../src/teams/app-package';
import { presentReplies } from '../src/teams/teams-presenter';
import { content } from './helpers/bot-harness';
import { DlClient, type DlActivity } from './helpers/directline-client';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';
import { movableClock } from './helpers/directline-server';
import { post } from './helpers/http-bot';
import { BOT, FakeTeamsConnector, mentioning, teamsActivity, TENANT } from './helpers/teams-connector';

const STAFF = { id: '29:staff', name: 'Sara Sagsbehandler', aadObjectId: '11111111-1111-4111-8111-111111111111' };
const ANNA = { id: '29:anna', name: 'Anna Jensen', aadObjectId: '22222222-2222-4222-8222-222222222222' };
const BO = { id: '29:bo', name: 'Bo Hansen', aadObjectId: '33333333-3333-4333-8333-333333333333' };
const SUPPORT_CHANNEL = '19:support@thread.tacv2';
const CHANNEL_CONVERSATION = '19:channel@thread.tacv2;messageid=1';
const GROUP_CONVERSATION = '19:group@thread.v2';
const CODE_DISPLAY = content.intents.intents.get('code_display')!;
const replies = new Replies(content, movableClock());
const CODE_DISPLAY_SOURCE = replies.sourceLine(sourceTitlesOf(content.labels, CODE_DISPLAY.sources.map((s) => s.file)));
const { agent: desk, commands, labels } = content.handoff;
const deskText = (id: keyof typeof desk, vars: Record<string, string | number>) => fill(desk[id].text, vars);
/** An agent's slash command as the help text names it ("/kø"). */
const command = (id: keyof typeof commands, argument = '') => `/${commands[id][0]}${argument ? ` ${argument}` : ''}`;

let dataDir: string;
let server: DirectLineServer | undefined;
let teams: FakeTeamsConnector;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-teams-'));
  teams = await new FakeTeamsConnector().start();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await teams.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<DirectLineServer> {
  server = await startDirectLine(dataDir, {
    TEAMS_AGENTS: `${ANNA.aadObjectId}=Anna Jensen`,
    TEAMS_AGENT_CHANNEL_ID: SUPPORT_CHANNEL,
    TEAMS_SERVICE_URL: teams.url,
    ...env,
  });
  return server;
}

interface CardContent {
  version: string;
  body: Array<{ type: string; text?: string; facts?: Array<{ title: string; value: string }> }>;
  actions: Array<{ type: string; title: string; verb?: string; data: Record<string, unknown> }>;
}
interface Card {
  contentType: string;
  content: CardContent;
}
const cardOf = (activity: Record<string, unknown>): Card | undefined => (activity.attachments as Card[] | undefined)?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');

describe('Teams: a staff member in a personal chat', () => {
  it('gets the FAQ answer with its source, and the follow-ups as (at most three) suggested actions', async () => {
    const { url } = await start();
    const res = await post(url, teamsActivity(teams.url, 'personal', STAFF, { text: 'hvad er en kodeviser' }));
    expect(res.status).toBe(200);
    const [answer] = teams.activitiesIn(`a:personal-${STAFF.aadObjectId}`);
    expect(String(answer!.text)).toContain(CODE_DISPLAY.answer.variants.at(-1)!.value.slice(0, 40));
    expect(String(answer!.text).endsWith(`\n\n${CODE_DISPLAY_SOURCE}`)).toBe(true);
    const actions = (answer!.suggestedActions as { actions: unknown[] }).actions;
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.length).toBeLessThanOrEqual(3);
    expect(answer!.channelData).toBeUndefined();
  });

  it('"spørgsmål" and "hjælp" from the command list are understood', async () => {
    const { url } = await start();
    await post(url, teamsActivity(teams.url, 'personal', STAFF, { text: 'spørgsmål' }));
    await post(url, teamsActivity(teams.url, 'personal', STAFF, { text: 'hjælp' }));
    const [ask, help] = teams.texts(`a:personal-${STAFF.aadObjectId}`);
    expect(ask).toBe(content.messages.ask.text.variants[0]!.value);
    expect(help).toBe(content.messages.help.text.variants[0]!.value);
  });
});

describe('Teams: team channels and group chats', () => {
  it('a channel message that does not mention the bot gets no answer', async () => {
    const { url } = await start();
    expect((await post(url, teamsActivity(teams.url, 'channel', STAFF, { text: 'hvad er en kodeviser' }))).status).toBe(200);
    expect(teams.received).toEqual([]);
  });

  it('with an @mention the mention is removed before classification and the answer arrives in the channel', async () => {
    const { url } = await start();
    await post(url, teamsActivity(teams.url, 'channel', STAFF, mentioning('hvad er en kodeviser')));
    const [answer] = teams.activitiesIn(CHANNEL_CONVERSATION);
    expect(String(answer!.text ?? '')).toBe('');
    const card = cardOf(answer!)!;
    expect(card.content.body[0]!.text).toContain(CODE_DISPLAY.answer.variants.at(-1)!.value.slice(0, 40));
    expect(card.content.body[0]!.text).toContain(CODE_DISPLAY_SOURCE);
  });

  it('in a group chat the guide\'s choices come as an Adaptive Card 1.5 with Action.Submit, and a tap goes on', async () => {
    const { url } = await start();
    await post(url, teamsActivity(teams.url, 'groupChat', STAFF, mentioning('guide')));
    const question = teams.activitiesIn(GROUP_CONVERSATION).at(-1)!;
    expect(question.suggestedActions).toBeUndefined();
    const card = cardOf(question)!;
    expect(card.content.version).toBe('1.5');
    expect(card.content.body[0]!.text).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
    expect(card.content.actions.map((a) => [a.type, a.title, a.data])).toEqual([
      ['Action.Submit', 'Ja', { choice: 'Ja' }],
      ['Action.Submit', 'Nej', { choice: 'Nej' }],
    ]);
    // A tap is a message with the button's data as value, no text and no mention.
    await post(url, teamsActivity(teams.url, 'groupChat', STAFF, { text: '', value: { choice: 'Ja' } }));
    const next = cardOf(teams.activitiesIn(GROUP_CONVERSATION).at(-1)!)!;
    expect(next.content.body[0]!.text).toContain('Har du adgang til en smartphone, som kan scanne pas?');
  });

  it('more than three choices in a personal chat also become a card (Teams shows at most three suggested actions)', () => {
    const activity = { type: 'message', text: 'Hvor tilfreds er du?', suggestedActions: { to: [], actions: ['1', '2', '3', '4', '5'].map((t) => ({ type: 'imBack', title: t, value: t })) } };
    presentReplies([activity], { channelId: 'msteams', conversation: { id: 'a', conversationType: 'personal', isGroup: false, name: '' } }, replies);
    expect(activity.suggestedActions).toBeUndefined();
    expect((activity as { attachments?: unknown[] }).attachments).toHaveLength(1);
  });
});

describe('Teams: search from the compose box', () => {
  it('a composeExtension/query for "kodeviser" returns matching answers as cards, the kodeviser answer first', async () => {
    const { url } = await start();
    const res = await post(url, teamsActivity(teams.url, 'personal', STAFF, { type: 'invoke', name: 'composeExtension/query', text: undefined, value: { commandId: 'searchAnswers', parameters: [{ name: 'query', value: 'kodeviser' }] } }));
    expect(res.status).toBe(200);
    const result = (res.body as { composeExtension: { type: string; attachmentLayout: string; attachments: Array<{ contentType: string; content: { title: string; text: string }; preview: { content: { title: string } } }> } }).composeExtension;
    expect(result.type).toBe('result');
    expect(result.attachments.length).toBeGreaterThan(0);
    expect(result.attachments.length).toBeLessThanOrEqual(8);
    expect(result.attachments[0]!.content.title).toBe(CODE_DISPLAY.title);
    expect(result.attachments[0]!.content.text).toContain(CODE_DISPLAY_SOURCE);
    expect(result.attachments[0]!.preview.content.title).toBe(CODE_DISPLAY.title);
  });

  it('an empty search or another command returns no results (and no error)', async () => {
    const { url } = await start();
    for (const value of [{ commandId: 'searchAnswers', parameters: [{ name: 'query', value: '' }] }, { commandId: 'other', parameters: [{ name: 'query', value: 'kodeviser' }] }]) {
      const res = await post(url, teamsActivity(teams.url, 'personal', STAFF, { type: 'invoke', name: 'composeExtension/query', value }));
      expect(res.status).toBe(200);
      expect((res.body as { composeExtension: { attachments: unknown[] } }).composeExtension.attachments).toEqual([]);
    }
  });
});

describe('Teams: agents of the support desk', () => {
  const texts = (activities: DlActivity[]) => activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');

  async function citizenEscalates(url: string): Promise<{ citizen: DlClient; caseId: string; watermark: string }> {
    const citizen = new DlClient(url);
    await citizen.generate();
    await citizen.start();
    let set = await citizen.poll(undefined, (acts) => texts(acts).some((t) => t.includes('MitID-hjælperen')));
    await citizen.post('Tal med en medarbejder');
    set = await citizen.poll(set.watermark, (acts) => texts(acts).some((t) => t.includes('Må jeg sende samtalen videre?')));
    await citizen.post('Ja, send den videre');
    set = await citizen.poll(set.watermark, (acts) => texts(acts).some((t) => t.includes('Din sag har nummer')));
    return { citizen, caseId: CASE_ID_IN_TEXT.exec(texts(set.activities).join(' '))![0], watermark: set.watermark };
  }

  /** The id the connector stand-in gave the case card it was sent (it answers each request with `activity-<its number>`). */
  const cardActivityId = (): string => `activity-${teams.received.findIndex((r) => r.method === 'POST' && r.path.startsWith(`/v3/conversations/${encodeURIComponent(SUPPORT_CHANNEL)}/activities`)) + 1}`;
  /** The card each updateActivity (PUT) put in place of the case card, in order. */
  const cardUpdates = (activityId: string): CardContent[] =>
    teams.received
      .filter((r) => r.method === 'PUT' && r.path === `/v3/conversations/${encodeURIComponent(SUPPORT_CHANNEL)}/activities/${activityId}`)
      .map((r) => {
        expect(r.body.id).toBe(activityId);
        return cardOf(r.body)!.content;
      });
  const heading = (card: CardContent | undefined) => card?.body[0]?.text;
  const annaHasIt = (caseId: string) => deskText('cardTaken', { caseId, agent: 'Anna Jensen' });

  it('an escalation reaches the agent channel as a card; a non-listed user is refused; Anna takes it and chats with a Web Chat citizen', async () => {
    const { url } = await start();
    const { citizen, caseId, watermark } = await citizenEscalates(url);

    const posted = await teams.waitFor(() => teams.activitiesIn(SUPPORT_CHANNEL)[0]);
    const card = cardOf(posted)!;
    expect(card.content.body[0]!.text).toBe(deskText('caseCard', { caseId }));
    const { reason, waitingSince, guidePath, topics, channel } = labels.card;
    expect(card.content.body[1]!.facts!.map((f) => f.title)).toEqual([reason, waitingSince, guidePath, topics, channel]);
    expect(card.content.actions).toEqual([{ type: 'Action.Execute', verb: 'takeCase', title: desk.caseCard.buttons![0], data: { action: 'takeCase', caseId } }]);
    const activityId = cardActivityId();

    // Someone not on TEAMS_AGENTS presses "Overtag" in the channel.
    const inChannel = (from: typeof STAFF) => teamsActivity(teams.url, 'channel', from, { text: '', value: { action: 'takeCase', caseId }, replyToId: 'card-1' });
    await post(url, inChannel(STAFF));
    expect(teams.texts(CHANNEL_CONVERSATION).at(-1)).toBe(content.handoff.agent.notOnList.text);

    // Anna may: a personal chat is opened for her and the case summary arrives there.
    await post(url, inChannel(ANNA));
    expect(teams.received.some((r) => r.method === 'POST' && r.path === '/v3/conversations')).toBe(true);
    expect(teams.texts(CHANNEL_CONVERSATION).at(-1)).toBe(deskText('takenBy', { agent: 'Anna Jensen', caseId }));
    const annaChat = 'a:personal-1';
    const summary = teams.texts(annaChat);
    expect(summary).toEqual([expect.stringContaining(caseId), deskText('taken', { caseId })]);

    // The card in the channel now says who has the case, and "Overtag" is gone.
    const [taken, ...moreUpdates] = cardUpdates(activityId);
    expect(moreUpdates).toEqual([]);
    expect(heading(taken)).toBe(annaHasIt(caseId));
    expect(taken!.actions).toEqual([]);
    expect(taken!.body[1]!.facts!.map((f) => f.title)).toEqual([reason, waitingSince, guidePath, topics, channel]);

    // A press on an out-of-date copy of the card (an old message with Action.Submit) takes nothing and says who has it.
    await post(url, inChannel(STAFF));
    expect(teams.texts(CHANNEL_CONVERSATION).at(-1)).toBe(deskText('takenBy', { agent: 'Anna Jensen', caseId }));
    expect(teams.texts(annaChat)).toHaveLength(2);

    let set = await citizen.poll(watermark, (acts) => texts(acts).some((t) => t.includes('Du er nu i kontakt med en medarbejder, Anna Jensen')));
    const fromAnna = (text: string) => teamsActivity(teams.url, 'personal', ANNA, { text, conversation: { id: annaChat, conversationType: 'personal', tenantId: 'x' } });
    await post(url, fromAnna('Hej, det er Anna fra MitID support.'));
    // The widget shows Anna's name with her words (from channelData), so the text has no "**Anna Jensen:**" in front.
    set = await citizen.poll(set.watermark, (acts) => texts(acts).includes('Hej, det er Anna fra MitID support.'));
    const line = set.activities.find((a) => a.text === 'Hej, det er Anna fra MitID support.')!;
    expect(line.channelData?.mitidAgent).toEqual({ name: 'Anna Jensen' });

    await citizen.post('Tak! Min mail er jens@example.dk');
    const relayed = await teams.waitFor(() => teams.texts(annaChat).find((t) => t.startsWith(deskText('fromCitizen', { caseId, text: '' }))));
    expect(relayed).toBe(deskText('fromCitizen', { caseId, text: 'Tak! Min mail er [e-mail]' }));

    await post(url, fromAnna(command('close')));
    await citizen.poll(set.watermark, (acts) => texts(acts).some((t) => t.includes(content.handoff.citizen.satisfaction.text)));
    expect(teams.texts(annaChat).at(-1)).toBe(deskText('closed', { caseId }));
    const closed = cardUpdates(activityId).at(-1);
    expect(heading(closed)).toBe(deskText('cardClosed', { caseId, agent: 'Anna Jensen' }));
    expect(closed!.actions).toEqual([]);
    expect(closed!.body[1]!.facts!.map((f) => f.title)).not.toContain(labels.card.lastLine);
  });

  it('Overtag as a Universal Action (Action.Execute) answers with the updated card; on a stale card it takes nothing and answers with the current one', async () => {
    const { url } = await start({ TEAMS_AGENTS: `${ANNA.aadObjectId}=Anna Jensen,${BO.aadObjectId}=Bo Hansen` });
    const { citizen, caseId, watermark } = await citizenEscalates(url);
    await teams.waitFor(() => teams.activitiesIn(SUPPORT_CHANNEL)[0]);
    const activityId = cardActivityId();
    const invoke = (from: typeof STAFF) => teamsActivity(teams.url, 'channel', from, { type: 'invoke', name: 'adaptiveCard/action', text: undefined, replyToId: activityId, value: { action: { type: 'Action.Execute', verb: 'takeCase', data: { action: 'takeCase', caseId } } } });
    type CardAnswer = { statusCode: number; type: string; value: CardContent };

    const refused = await post(url, invoke(STAFF));
    expect(refused.status).toBe(200);
    expect(teams.texts(CHANNEL_CONVERSATION).at(-1)).toBe(content.handoff.agent.notOnList.text);
    // The case is still waiting: the answer is the card with its button.
    expect((refused.body as CardAnswer).value.actions.map((a) => a.verb)).toEqual(['takeCase']);

    const taken = await post(url, invoke(ANNA));
    expect(taken.status).toBe(200);
    expect(teams.texts(CHANNEL_CONVERSATION).at(-1)).toBe(deskText('takenBy', { agent: 'Anna Jensen', caseId }));
    const answer = taken.body as CardAnswer;
    expect(answer.statusCode).toBe(200);
    expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(heading(answer.value)).toBe(annaHasIt(caseId));
    expect(answer.value.actions).toEqual([]);
    expect(cardUpdates(activityId).map(heading)).toEqual([annaHasIt(caseId)]);

    // Bo and Anna press the card they still see: neither takes the case (again); both get the current card.
    const said = teams.received.length;
    for (const who of [BO, ANNA]) {
      const stale = await post(url, invoke(who));
      expect(stale.status).toBe(200);
      expect(heading((stale.body as CardAnswer).value)).toBe(annaHasIt(caseId));
      expect((stale.body as CardAnswer).value.actions).toEqual([]);
    }
    const afterwards = teams.received.slice(said);
    expect(afterwards.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([]);
    expect(afterwards.every((r) => r.method === 'PUT' && r.path.endsWith(`/activities/${activityId}`))).toBe(true);
    const told = await citizen.poll(watermark, (acts) => texts(acts).some((t) => t.includes('Anna Jensen')));
    expect(texts(told.activities).filter((t) => t.includes('Du er nu i kontakt med en medarbejder'))).toHaveLength(1);
  });

  it('a case sent back to the queue gets its "Overtag" again on the same card', async () => {
    const { url } = await start();
    const { caseId } = await citizenEscalates(url);
    await teams.waitFor(() => teams.activitiesIn(SUPPORT_CHANNEL)[0]);
    const activityId = cardActivityId();
    await post(url, teamsActivity(teams.url, 'channel', ANNA, { type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'takeCase', data: { action: 'takeCase', caseId } } } }));
    await post(url, teamsActivity(teams.url, 'personal', ANNA, { text: command('transfer'), conversation: { id: 'a:personal-1', conversationType: 'personal', tenantId: 'x' } }));
    const [taken, requeued, ...more] = cardUpdates(activityId);
    expect(more).toEqual([]);
    expect(heading(taken)).toBe(annaHasIt(caseId));
    expect(heading(requeued)).toBe(deskText('cardRequeued', { caseId }));
    expect(requeued!.actions).toEqual([{ type: 'Action.Execute', verb: 'takeCase', title: desk.caseCard.buttons![0], data: { action: 'takeCase', caseId } }]);
  });

  it('an agent not on a case uses the bot like any staff member; a /command goes to the desk', async () => {
    const { url } = await start();
    await post(url, teamsActivity(teams.url, 'personal', ANNA, { text: 'hvad er en kodeviser' }));
    await post(url, teamsActivity(teams.url, 'personal', ANNA, { text: command('queue') }));
    const [answer, queue] = teams.texts(`a:personal-${ANNA.aadObjectId}`);
    expect(answer).toContain(CODE_DISPLAY_SOURCE);
    expect(queue).toBe(content.handoff.agent.queueEmpty.text);
  });
});

describe('Teams: the app added to a team', () => {
  const TEAM = '19:team@thread.tacv2';
  const added = (membersAdded: Array<{ id: string; name?: string }>, eventType = 'teamMemberAdded') => ({
    ...teamsActivity(teams.url, 'channel', STAFF, { type: 'conversationUpdate', text: undefined, membersAdded }),
    conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { eventType, team: { id: TEAM, name: 'MitID support' }, tenant: { id: TENANT } },
  });
  const intro = content.messages.teamIntro.text.variants[0]!.value;

  it('introduces itself once in the team\'s channel, naming its commands, and says nothing when people join', async () => {
    const { url } = await start();
    expect((await post(url, added([{ id: BOT.id, name: BOT.name }]))).status).toBe(200);
    expect(teams.texts(TEAM)).toEqual([intro]);
    expect(teams.activitiesIn(TEAM)[0]!.suggestedActions).toBeUndefined();
    await post(url, added([{ id: '29:new-colleague', name: 'Ny Kollega' }]));
    expect(teams.texts(TEAM)).toEqual([intro]);
  });

  it('is introduced as well when Teams sends the bot\'s arrival without the event type', async () => {
    const { url } = await start();
    const { channelData: _eventType, ...activity } = added([{ id: BOT.id }]);
    await post(url, { ...activity, channelData: { team: { id: TEAM }, tenant: { id: TENANT } } });
    expect(teams.texts(TEAM)).toEqual([intro]);
  });

  it('the introduction names the commands Teams lists for the bot and the agents\' help command', () => {
    for (const { title } of loadYaml(defaultTeamsContentFile(), teamsAppSchema).data.commands) expect(intro).toContain(`"${title}"`);
    expect(intro).toContain(command('help'));
    expect(intro).toContain(desk.caseCard.buttons![0]);
  });
});

void BOT;
