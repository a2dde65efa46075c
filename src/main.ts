import { fixedClock, systemClock } from './clock';
import { ConfigError, parseConfig, readEnvironment } from './config';
import { ContentError, loadContent } from './content/load-content';
import { createApp } from './app';
import { createLogger } from './logger';
import { IntentRecognizer } from './nlu/recognizer';
import { FileStorage } from './storage/file-storage';

async function main(): Promise<void> {
  let config;
  let content;
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
  const storage = new FileStorage({ directory: config.DATA_DIR, fsync: config.FILE_STORAGE_FSYNC });
  await storage.init();
  const clock = config.BOT_DATE ? fixedClock(`${config.BOT_DATE}T12:00:00+01:00`) : systemClock;
  const recognizer = new IntentRecognizer(content.intents, content.classifier);
  const app = createApp({ config, content, storage, clock, logger, recognizer });
  const port = await app.listen();
  logger.info({ port, host: config.HOST, dataDir: config.DATA_DIR, botDate: config.BOT_DATE }, `MitID-hjælperen kører på http://${config.HOST}:${port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
