import type { Activity, TurnContext } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/framework/adapter';
import { BotBridge, toBotActivity } from '../src/directline/bot-bridge';

// Nothing listens here: a reply that went over HTTP would fail the turn.
const DEAD_URL = 'http://127.0.0.1:9';

function bridgeFor(run: (context: TurnContext) => Promise<void>): BotBridge {
  return new BotBridge({ adapter: createAdapter({}), bots: { user: { run }, agent: { run } }, selfUrl: () => DEAD_URL, internalSecret: 'secret', appId: undefined });
}

function userMessage(text: string): Activity {
  return toBotActivity(
    { type: 'message', id: 'c1|0000001', text, from: { id: 'dl_user', role: 'user' } },
    { conversationId: 'c1', userId: 'dl_user', serviceUrl: DEAD_URL, timestamp: new Date('2026-11-21T12:00:00Z') },
  );
}

describe('BotBridge replies in-process', () => {
  it('hands every reply to the sink, in order, as JSON, with the activity it answers', async () => {
    const received: Array<{ conversationId: string; reply: Record<string, unknown>; replyToId: string | undefined }> = [];
    const bridge = bridgeFor(async (context) => {
      await context.sendActivity('første');
      await context.sendActivities([{ type: 'message', text: 'anden', timestamp: new Date('2026-11-21T12:00:01Z') }]);
    });
    bridge.receiveRepliesWith((conversationId, reply, replyToId) => {
      received.push({ conversationId, reply: reply as Record<string, unknown>, replyToId });
      return Promise.resolve({ id: `c1|${received.length}` });
    });
    await bridge.deliver(userMessage('hej'), 'user');
    expect(received.map((r) => [r.conversationId, r.reply.text, r.replyToId])).toEqual([
      ['c1', 'første', 'c1|0000001'],
      ['c1', 'anden', 'c1|0000001'],
    ]);
    expect(received[1]!.reply.timestamp).toBe('2026-11-21T12:00:01.000Z');
  });

  it('fails the turn when the sink refuses a reply, as a 400 from the connector route did', async () => {
    const bridge = bridgeFor(async (context) => {
      await context.sendActivity('svar');
    });
    bridge.receiveRepliesWith(() => Promise.resolve(undefined));
    await expect(bridge.deliver(userMessage('hej'), 'user')).rejects.toThrow('refused');
  });

  it('refuses to update or delete a sent activity', async () => {
    const bridge = bridgeFor(async (context) => {
      await context.updateActivity({ id: 'c1|1', type: 'message', text: 'ændret' });
    });
    bridge.receiveRepliesWith(() => Promise.resolve({ id: 'x' }));
    await expect(bridge.deliver(userMessage('hej'), 'user')).rejects.toThrow('cannot be updated');
  });

  it('without a sink, sends replies over HTTP to its own connector routes', async () => {
    const bridge = bridgeFor(async (context) => {
      await context.sendActivity('svar');
    });
    await expect(bridge.deliver(userMessage('hej'), 'user')).rejects.toThrow();
  });
});
