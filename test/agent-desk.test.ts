import { MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { deskCommand } from '../src/content/commands';
import { deskCommandIds } from '../src/content/handoff-texts';
import { fill } from '../src/content/placeholders';
import { AgentDesk } from '../src/handoff/agent-desk';
import { normalizeText } from '../src/text/normalize';
import { content, testHandoff } from './helpers/bot-harness';
import { movableClock } from './helpers/directline-server';

const { commands, agent: texts } = content.handoff;
const ANNA = { username: 'anna', displayName: 'Anna' };

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
