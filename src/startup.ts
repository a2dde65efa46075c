import { fixedClock, systemClock, type Clock } from './clock';
import { ConfigError, parseConfig, readEnvironment, type Config } from './config';
import { ContentError, loadContent, type Content } from './content/load-content';
import { createLogger, type Logger } from './logger';
import { loadRecognizer } from './nlu/classifier-cache';
import type { IntentRecognizer } from './nlu/recognizer';
import type { BotStorage } from './storage/bot-storage';
import { openStores, type ConversationLogFactory } from './app/stores';

/** What every entry point (server, terminal chat) starts from. */
export interface Startup {
  config: Config;
  content: Content;
  clock: Clock;
  storage: BotStorage;
  /** Direct Line's conversations in the database (STORAGE=postgres); in memory when absent. */
  conversations?: ConversationLogFactory;
  /** Closes the storage's connections; after the app has closed. */
  closeStores(): Promise<void>;
  recognizer: IntentRecognizer;
  logger: Logger;
}

/**
 * Reads the settings and the content, opens the storage and trains the classifier.
 * A bad setting or content file ends the process with its one-line message and exit code 1.
 */
export async function startUp(): Promise<Startup> {
  let config: Config;
  let content: Content;
  try {
    config = parseConfig(readEnvironment());
    content = loadContent();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ContentError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const stores = await openStores(config, logger);
  // BOT_DATE pins "today" at noon Danish time, away from any midnight edge.
  const clock = config.BOT_DATE ? fixedClock(`${config.BOT_DATE}T12:00:00+01:00`) : systemClock;
  const recognizer = loadRecognizer(content.intents, content.classifier, config.DATA_DIR);
  return { config, content, clock, storage: stores.storage, ...(stores.conversations ? { conversations: stores.conversations } : {}), closeStores: () => stores.close(), logger, recognizer };
}
