import type { Storage } from 'botbuilder';
import type { Config } from '../config';
import { FileStorage } from '../storage/file-storage';

/**
 * Where staff sessions are kept: the bot's own storage (STORAGE), read so that a sign-out or an
 * admin's `npm run agent:sessions` is seen by every process at the next request.
 *
 * Blob Storage is read afresh on every call anyway. File storage keeps what this process wrote
 * in memory (it assumes one process owns DATA_DIR), so a session ended by the admin command, a
 * second process, would still look live to the running server. The desk's keys (desk/…, which
 * nothing else uses) are therefore read through a FileStorage of their own over the same
 * directory that remembers nothing: a few small reads from the disk cache per agent request.
 */
export function staffStorage(config: Pick<Config, 'STORAGE' | 'DATA_DIR' | 'FILE_STORAGE_FSYNC'>, shared: Storage): Storage {
  if (config.STORAGE === 'blob') return shared;
  return new FileStorage({ directory: config.DATA_DIR, fsync: config.FILE_STORAGE_FSYNC, cacheEntries: 0 });
}
