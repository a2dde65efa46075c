import './boot/enable-compile-cache';
import { createApp } from './app';
import { startUp } from './startup';

async function main(): Promise<void> {
  const { config, content, clock, storage, conversations, closeStores, recognizer, logger } = await startUp();
  const app = createApp({ config, content, storage, clock, logger, recognizer, ...(conversations ? { conversations } : {}) });
  const port = await app.listen();
  logger.info({ port, host: config.HOST, dataDir: config.DATA_DIR, botDate: config.BOT_DATE }, `listening on http://${config.HOST}:${port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      await closeStores();
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
