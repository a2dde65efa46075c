import type { Clock } from '../clock';
import type { Config } from '../config';
import type { ConversationLog } from '../directline/conversation-log';
import type { Logger } from '../logger';
import type { BotStorage } from '../storage/bot-storage';
import { openStorage } from '../storage';

/** How the built-in Direct Line keeps its conversations, given its idle time and cap. */
export type ConversationLogFactory = (settings: { clock: Clock; idleMs: number; maxActivities: number }) => ConversationLog;

/** Where the bot keeps what it must not lose. */
export interface Stores {
  storage: BotStorage;
  /** Set with STORAGE=postgres: Direct Line's conversations in the database, shared by every instance. Otherwise in memory. */
  conversations?: ConversationLogFactory;
  /** Lets go of the database after the app has closed. */
  close(): Promise<void>;
}

/**
 * The storage chosen by STORAGE and, with PostgreSQL, the Direct Line conversations on the same
 * connection pool. Never waits for the database: the bot starts while it is away.
 */
export async function openStores(config: Config, logger: Logger): Promise<Stores> {
  if (config.STORAGE !== 'postgres') {
    // SQLite's file is closed by the process's exit (its commits are durable already); Blob holds no connection.
    return { storage: await openStorage(config, logger), close: () => Promise.resolve() };
  }
  // Loaded only when chosen, as the Azure SDK is: pg is not needed by a single instance.
  const [{ PostgresDatabase, postgresOptions }, { openPostgresStorage }, { PostgresConversations }] = await Promise.all([
    import('../storage/postgres-database'),
    import('../storage/postgres-storage'),
    import('../directline/postgres-conversations'),
  ]);
  const db = new PostgresDatabase(postgresOptions(config, logger));
  const storage = openPostgresStorage(db, { timeoutMs: config.STORAGE_TIMEOUT_MS, pingTimeoutMs: config.READY_TIMEOUT_MS, logger });
  return {
    storage,
    conversations: (settings) => new PostgresConversations({ db, logger, ...settings }),
    close: () => db.close(),
  };
}
