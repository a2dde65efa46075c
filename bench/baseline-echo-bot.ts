/**
 * The bare baseline for bench/run.ts: botbuilder's CloudAdapter on restify 11, an echo bot
 * with MemoryStorage and ConversationState saved on every turn. Nothing else (no NLU, no
 * dialogs, no file I/O), so the ratio real/baseline shows what the bot's own work costs.
 *
 * PORT (default 0) and HOST (default 127.0.0.1) from the environment; prints {"port":N}.
 */
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  type TurnContext,
} from 'botbuilder';
import restify from 'restify';

class EchoBot extends ActivityHandler {
  private readonly turns;

  constructor(private readonly conversationState: ConversationState) {
    super();
    this.turns = conversationState.createProperty<number>('turns');
    this.onMessage(async (context, next) => {
      const count = (await this.turns.get(context, 0)) + 1;
      await this.turns.set(context, count);
      await context.sendActivity(`Echo ${count}: ${context.activity.text ?? ''}`);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new EchoBot(new ConversationState(new MemoryStorage()));

const server = restify.createServer({ name: 'baseline-echo', handleUncaughtExceptions: false });
server.use(restify.plugins.queryParser());
server.use(restify.plugins.jsonBodyParser({ mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/readyz', async (_req, res) => {
  res.send(200, { status: 'ready' });
});

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'baseline echo bot listening', port: server.address().port })}\n`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
