import type { Config } from '../config';
import type { BotStorage } from './bot-storage';
import { FileStorage } from './file-storage';

/** The storage chosen by STORAGE: files in DATA_DIR (one instance) or Azure Blob Storage (shared by several). */
export async function openStorage(config: Config): Promise<BotStorage> {
  if (config.STORAGE === 'blob') {
    // Loaded only when chosen: the Azure SDK adds about 0.1 s to every start-up otherwise.
    const { BlobStorage } = await import('./blob-storage');
    return new BlobStorage({ connectionString: config.BLOB_CONNECTION_STRING!, container: config.BLOB_CONTAINER });
  }
  const storage = new FileStorage({ directory: config.DATA_DIR, fsync: config.FILE_STORAGE_FSYNC });
  await storage.init();
  return storage;
}
