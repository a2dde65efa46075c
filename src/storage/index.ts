import type { Config } from '../config';
import type { Logger } from '../logger';
import type { BotStorage } from './bot-storage';
import { DeadlineStorage } from './deadline-storage';
import { openSqliteStorage } from './sqlite-storage';

/**
 * The storage chosen by STORAGE: SQLite in DATA_DIR (one machine, any number of its processes) or
 * Azure Blob Storage (shared by several), with a deadline on every call (STORAGE_TIMEOUT_MS,
 * READY_TIMEOUT_MS for /readyz). Opening Blob never waits for the storage: the bot starts while
 * storage is away and reports not ready.
 */
export async function openStorage(config: Config, logger?: Logger): Promise<BotStorage> {
  const deadlines = { timeoutMs: config.STORAGE_TIMEOUT_MS, pingTimeoutMs: config.READY_TIMEOUT_MS, ...(logger ? { logger } : {}) };
  if (config.STORAGE === 'blob') {
    // Loaded only when chosen: the Azure SDK adds about 0.1 s to every start-up otherwise.
    const { BlobStorage } = await import('./blob-storage');
    return new DeadlineStorage(new BlobStorage({ connectionString: config.BLOB_CONNECTION_STRING!, container: config.BLOB_CONTAINER, tryTimeoutMs: config.STORAGE_TIMEOUT_MS }), deadlines);
  }
  if (config.STORAGE === 'postgres') {
    // Loaded only when chosen, as the Azure SDK is. A start-up that shares the pool (Direct Line)
    // makes the PostgresDatabase itself and calls openPostgresStorage with it.
    const [{ PostgresDatabase, postgresOptions }, { openPostgresStorage }] = await Promise.all([import('./postgres-database'), import('./postgres-storage')]);
    return openPostgresStorage(new PostgresDatabase(postgresOptions(config, logger)), deadlines);
  }
  return new DeadlineStorage(await openSqliteStorage(config, logger), deadlines);
}
