/**
 * `npm run bench:turns`: CPU time per message turn of the bot in process (no HTTP, MemoryStorage),
 * over the same scripted citizens as `npm run bench`. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/turns.ts [conversations per script, default 400]
 */
import { ActivityTypes, MemoryStorage, TestAdapter } from 'botbuilder';
import { createBotOnStorage } from '../src/bot/mitid-bot';
import { fixedClock } from '../src/clock';
import { loadContent } from '../src/content/load-content';
import { createHandoff } from '../src/handoff';
import { createLogger } from '../src/logger';
import { IntentRecognizer } from '../src/nlu/recognizer';
import { SCRIPTS } from './scripts';

const perScript = Number(process.argv[2] ?? 400);
const content = loadContent();
const recognizer = new IntentRecognizer(content.intents, content.classifier);
const storage = new MemoryStorage();
const clock = fixedClock('2026-12-02T12:00:00+01:00');
const { service } = createHandoff({ storage, content, clock, logger: createLogger('silent'), messenger: { send: async () => {} } });
const bot = createBotOnStorage({ content, clock, storage, recognizer, maxMessageChars: 2000, handoff: service, handoffProtocol: 'botframework' });

let conversations = 0;
async function run(times: number): Promise<{ turns: number; messages: number; cpuUs: number }> {
  let turns = 0;
  let messages = 0;
  const started = process.cpuUsage();
  for (let i = 0; i < times; i++) {
    for (const script of SCRIPTS) {
      const adapter = new TestAdapter({ channelId: 'webchat', serviceUrl: 'https://bench.invalid', conversation: { id: `bench-${conversations++}`, isGroup: false, conversationType: 'personal', name: '' }, user: { id: 'u', name: 'Borger' }, bot: { id: 'b', name: 'MitID-hjælperen' } });
      for (const text of script) {
        await adapter.processActivity({ type: ActivityTypes.Message, text }, (context) => bot.run(context));
        messages += adapter.activeQueue.splice(0).length;
        turns++;
      }
    }
  }
  const cpu = process.cpuUsage(started);
  return { turns, messages, cpuUs: cpu.user + cpu.system };
}

async function main(): Promise<void> {
  await run(Math.ceil(perScript / 4)); // warm-up: V8 optimises the hot path first
  const rounds = [];
  for (let r = 0; r < 3; r++) rounds.push(await run(perScript));
  const best = rounds.reduce((a, b) => (a.cpuUs / a.turns < b.cpuUs / b.turns ? a : b));
  const per = (n: number) => (best.cpuUs / n).toFixed(1);
  process.stdout.write(`${best.turns} turns in ${SCRIPTS.length} scripts, best of 3 rounds: ${per(best.turns)} µs CPU per turn, ${(best.messages / best.turns).toFixed(2)} messages per turn, ${per(best.messages)} µs per message\n`);
  process.stdout.write(`all rounds (µs/turn): ${rounds.map((r) => (r.cpuUs / r.turns).toFixed(1)).join(', ')}\n`);
}

void main();
