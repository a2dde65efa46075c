import type { Config } from '../config';
import { BlobStorage } from './blob-storage';
import type { BotStorage } from './bot-storage';
import { FileStorage } from './file-storage';

/** The storage chosen by STORAGE: files in DATA_DIR (one instance) or Azure Blob Storage (shared by several). */
export async function openStorage(config: Config): Promise<BotStorage> {
  if (config.STORAGE === 'blob') return new BlobStorage({ connectionString: config.BLOB_CONNECTION_STRING!, container: config.BLOB_CONTAINER });
  const storage = new FileStorage({ directory: config.DATA_DIR, fsync: config.FILE_STORAGE_FSYNC });
  await storage.init();
  return storage;
}
