import type { Config } from '../config';
import type { Logger } from '../logger';
import type { BotStorage } from './bot-storage';
import { DeadlineStorage } from './deadline-storage';
import { FileStorage } from './file-storage';

/**
 * The storage chosen by STORAGE, files in DATA_DIR (one instance) or Azure Blob Storage (shared
 * by several), with a deadline on every call (STORAGE_TIMEOUT_MS, READY_TIMEOUT_MS for /readyz).
 * Opening it never waits for the storage: the bot starts while storage is away and reports not ready.
 */
export async function openStorage(config: Config, logger?: Logger): Promise<BotStorage> {
  const deadlines = { timeoutMs: config.STORAGE_TIMEOUT_MS, pingTimeoutMs: config.READY_TIMEOUT_MS, ...(logger ? { logger } : {}) };
  if (config.STORAGE === 'blob') {
    // Loaded only when chosen: the Azure SDK adds about 0.1 s to every start-up otherwise.
    const { BlobStorage } = await import('./blob-storage');
    return new DeadlineStorage(new BlobStorage({ connectionString: config.BLOB_CONNECTION_STRING!, container: config.BLOB_CONTAINER, tryTimeoutMs: config.STORAGE_TIMEOUT_MS }), deadlines);
  }
  const storage = new FileStorage({ directory: config.DATA_DIR, fsync: config.FILE_STORAGE_FSYNC });
  await storage.init();
  return new DeadlineStorage(storage, deadlines);
}
