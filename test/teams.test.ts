import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceTitlesOf } from '../src/content/labels';
import { fill } from '../src/content/placeholders';
import { Replies } from '../src/dialogs/replies';
import { presentReplies } from '../src/teams/teams-presenter';
import { content } from './helpers/bot-harness';
import { DlClient, type DlActivity } from './helpers/directline-client';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';
import { movableClock } from './helpers/directline-server';
import { post } from './helpers/http-bot';
import { BOT, FakeTeamsConnector, mentioning, teamsActivity } from './helpers/teams-connector';

const STAFF = { id: '29:staff', name: 'Sara Sagsbehandler', aadObjectId: '11111111-1111-4111-8111-111111111111' };
const ANNA = { id: '29:anna', name: 'Anna Jensen', aadObjectId: '22222222-2222-4222-8222-222222222222' };
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

interface Card {
  contentType: string;
  content: { version: string; body: Array<{ type: string; text?: string; facts?: Array<{ title: string; value: string }> }>; actions: Array<{ type: string; title: string; data: Record<string, unknown> }> };
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
    return { citizen, caseId: /M-\d+/.exec(texts(set.activities).join(' '))![0], watermark: set.watermark };
  }

  it('an escalation reaches the agent channel as a card; a non-listed user is refused; Anna takes it and chats with a Web Chat citizen', async () => {
    const { url } = await start();
    const { citizen, caseId, watermark } = await citizenEscalates(url);

    const posted = await teams.waitFor(() => teams.activitiesIn(SUPPORT_CHANNEL)[0]);
    const card = cardOf(posted)!;
    expect(card.content.body[0]!.text).toBe(deskText('caseCard', { caseId }));
    const { reason, waitingSince, guidePath, topics, channel } = labels.card;
    expect(card.content.body[1]!.facts!.map((f) => f.title)).toEqual([reason, waitingSince, guidePath, topics, channel]);
    expect(card.content.actions).toEqual([{ type: 'Action.Submit', title: desk.caseCard.buttons![0], data: { action: 'takeCase', caseId } }]);

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

    let set = await citizen.poll(watermark, (acts) => texts(acts).some((t) => t.includes('Du er nu i kontakt med en medarbejder, Anna Jensen')));
    const fromAnna = (text: string) => teamsActivity(teams.url, 'personal', ANNA, { text, conversation: { id: annaChat, conversationType: 'personal', tenantId: 'x' } });
    await post(url, fromAnna('Hej, det er Anna fra MitID support.'));
    set = await citizen.poll(set.watermark, (acts) => texts(acts).includes('**Anna Jensen:** Hej, det er Anna fra MitID support.'));

    await citizen.post('Tak! Min mail er jens@example.dk');
    const relayed = await teams.waitFor(() => teams.texts(annaChat).find((t) => t.startsWith(deskText('fromCitizen', { caseId, text: '' }))));
    expect(relayed).toBe(deskText('fromCitizen', { caseId, text: 'Tak! Min mail er [e-mail]' }));

    await post(url, fromAnna(command('close')));
    await citizen.poll(set.watermark, (acts) => texts(acts).some((t) => t.includes(content.handoff.citizen.satisfaction.text)));
    expect(teams.texts(annaChat).at(-1)).toBe(deskText('closed', { caseId }));
  });

  it('Overtag as an Adaptive Card invoke (Action.Execute) works the same, and is refused for a non-listed user', async () => {
    const { url } = await start();
    const { caseId } = await citizenEscalates(url);
    const invoke = (from: typeof STAFF) => teamsActivity(teams.url, 'channel', from, { type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'takeCase', data: { action: 'takeCase', caseId } } } });
    const refused = await post(url, invoke(STAFF));
    expect(refused.status).toBe(200);
    expect(teams.texts(CHANNEL_CONVERSATION).at(-1)).toBe(content.handoff.agent.notOnList.text);
    const taken = await post(url, invoke(ANNA));
    expect(taken.status).toBe(200);
    expect(teams.texts(CHANNEL_CONVERSATION).at(-1)).toBe(deskText('takenBy', { agent: 'Anna Jensen', caseId }));
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

void BOT;
