import { MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { deskCommand } from '../src/content/commands';
import { deskCommandIds } from '../src/content/handoff-texts';
import { fill } from '../src/content/placeholders';
import { AgentDesk } from '../src/handoff/agent-desk';
import { caseChatId } from '../src/handoff/case-ids';
import { normalizeText } from '../src/text/normalize';
import { content, testHandoff } from './helpers/bot-harness';
import { movableClock } from './helpers/directline-server';

const { commands, agent: texts } = content.handoff;
const ANNA = { username: 'anna', displayName: 'Anna' };
const BO = { username: 'bo', displayName: 'Bo' };

describe('the agents\' slash commands (dialogs/handoff.yaml `commands`)', () => {
  it.each(deskCommandIds.flatMap((id) => commands[id].map((word) => [id, word] as const)))('%s: "/%s" in any case, with its argument', (id, word) => {
    expect(deskCommand(`/${word} M-1234`, commands)).toEqual({ id, argument: 'M-1234' });
    expect(deskCommand(`  /${word.toUpperCase()}  `, commands)).toEqual({ id, argument: '' });
    // Keyboards without æ/ø/å: "/koe" is "/kø".
    expect(deskCommand(`/${normalizeText(word)}`, commands)?.id).toBe(id);
  });

  it('a message without the slash is for the citizen, a slash with an unknown word is a command the desk does not know', () => {
    expect(deskCommand(`${commands.close[0]} nu`, commands)).toBeUndefined();
    expect(deskCommand('/ukendt ord', commands)).toEqual({ id: undefined, argument: 'ord' });
  });

  it('the help text names every other command by its first word, and the texts that point to help name it so', () => {
    for (const id of deskCommandIds.filter((id) => id !== 'help')) expect(texts.help.text).toContain(`/${commands[id][0]}`);
    for (const id of ['welcome', 'unknownCommand'] as const) expect(texts[id].text).toContain(`/${commands.help[0]}`);
  });
});

describe('the agent desk reads commands with the one matcher', () => {
  function desk() {
    const handoff = testHandoff(new MemoryStorage(), movableClock());
    const adapter = new TestAdapter(async (context) => new AgentDesk(handoff.service, () => ANNA).run(context));
    const reply = async (text: string) => {
      let said: Partial<Activity> | undefined;
      await adapter.send(text).assertReply((activity) => void (said = activity));
      return said?.text;
    };
    return { service: handoff.service, reply };
  }

  it('lists the waiting cases on the queue command, each as `queueItem` words it', async () => {
    const { service, reply } = desk();
    expect(await reply(`/${commands.queue[0]}`)).toBe(texts.queueEmpty.text);
    const { record } = await service.open({ reason: 'asked', channelId: 'test', conversation: { conversation: { id: 'c', isGroup: false, conversationType: 'personal', name: '' } }, guidePath: [], recentIntents: [], transcript: [] });
    const item = fill(texts.queueItem.text, { caseId: record.id, minutes: 0, reason: texts.reasonAsked.text });
    expect(await reply(`/${commands.queue.at(-1)}`)).toBe(fill(texts.queue.text, { text: item }));
  });

  it('answers an unknown command, and a message with no case open', async () => {
    const { reply } = desk();
    expect(await reply('/ukendt')).toBe(texts.unknownCommand.text);
    expect(await reply('Hej')).toBe(texts.noCase.text);
    expect(await reply(`/${commands.help[0]}`)).toBe(texts.help.text);
  });
});

describe('the desk in a case chat and with several cases', () => {
  const caseChat = (id: string) => ({ id: caseChatId('anna', id), isGroup: false, conversationType: 'personal', name: '' });

  async function withCases(count: number) {
    const handoff = testHandoff(new MemoryStorage(), movableClock());
    const service = handoff.service;
    await service.registerAgent(ANNA, { conversation: { id: 'agent-anna', isGroup: false, conversationType: 'personal', name: '' } });
    await service.registerAgent(BO, { conversation: { id: 'agent-bo', isGroup: false, conversationType: 'personal', name: '' } });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { record } = await service.open({ reason: 'asked', channelId: 'test', conversation: { conversation: { id: `citizen-${i}`, isGroup: false, conversationType: 'personal', name: '' } }, guidePath: [], recentIntents: [], transcript: [] });
      await service.take(record.id, ANNA);
      ids.push(record.id);
    }
    handoff.messenger.sent.length = 0;
    const desk = new AgentDesk(service, (activity) => (activity.from?.id === 'bo' ? BO : ANNA));
    const say = async (conversation: { id: string }, text: string): Promise<string[]> => {
      const adapter = new TestAdapter({ channelId: 'directline', serviceUrl: 'https://dl.invalid', conversation: conversation as never, user: { id: 'anna', name: 'Anna' }, bot: { id: 'bot', name: 'bot' } });
      const said: string[] = [];
      await adapter.processActivity({ type: 'message', text }, async (context) => {
        context.onSendActivities(async (_ctx, activities, next) => {
          for (const a of activities) said.push(a.text ?? '');
          return next();
        });
        await desk.run(context);
      });
      return said;
    };
    return { service, handoff, ids, say };
  }

  it('what the agent writes in a case chat goes to that case; commands there are about that case', async () => {
    const { service, handoff, ids, say } = await withCases(2);
    await say(caseChat(ids[1]!), 'Til nummer to');
    const named = (text: string) => fill(content.handoff.citizen.fromAgentNamed.text, { agent: 'Anna', text });
    expect(handoff.messenger.take('citizen-1').map((r) => r.text)).toEqual([named('Til nummer to')]);
    expect(handoff.messenger.take('citizen-0')).toEqual([]);
    await say(caseChat(ids[1]!), `/${commands.template[0]} kodeviser`);
    expect(handoff.messenger.take('citizen-1').map((r) => r.text)).toEqual([named(content.handoff.templates.kodeviser!.text)]);
    expect(await say(caseChat(ids[1]!), `/${commands.template[0]}`)).toEqual([fill(texts.template.text, { text: Object.keys(content.handoff.templates).join(', ') })]);
    await say(caseChat(ids[1]!), `/${commands.close[0]}`);
    expect((await service.get(ids[1]!))!.status).toBe('closed');
    expect((await service.get(ids[0]!))!.status).toBe('assigned');
  });

  it('in the desk chat, a line is refused while she has several cases, and /videre names a colleague or goes to the queue', async () => {
    const { service, ids, say } = await withCases(2);
    expect(await say({ id: 'agent-anna' }, 'Hej?')).toEqual([texts.noCase.text]);
    await say(caseChat(ids[0]!), `/${commands.transfer[0]} bo hun kender sagen`);
    expect((await service.get(ids[0]!))!).toMatchObject({ agent: { id: 'bo' }, transfers: [expect.objectContaining({ note: 'hun kender sagen' })] });
    await say(caseChat(ids[1]!), `/${commands.transfer[0]} kræver en kollega`);
    expect((await service.get(ids[1]!))!).toMatchObject({ status: 'queued', notes: [expect.objectContaining({ text: 'kræver en kollega' })] });
  });

  it('at the chat limit, taking another says how many she may have', async () => {
    const { service, say } = await withCases(3);
    const { record } = await service.open({ reason: 'asked', channelId: 'test', conversation: { conversation: { id: 'citizen-x', isGroup: false, conversationType: 'personal', name: '' } }, guidePath: [], recentIntents: [], transcript: [] });
    expect(await say({ id: 'agent-anna' }, `/${commands.take[0]} ${record.id}`)).toEqual([fill(texts.busy.text, { count: 3 })]);
  });
});
