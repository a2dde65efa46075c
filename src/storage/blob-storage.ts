import { ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { StoreItems } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { InFlight } from '../async/in-flight';
import type { BotStorage } from './bot-storage';

export interface BlobStorageOptions {
  connectionString: string;
  container: string;
}

// A turn waits on storage: when it is unreachable the person should get the apology within
// seconds, not after the SDK's default minutes of retries.
const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs: 5_000, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 } };
const PROBE = '_readyz';

/**
 * State on Azure Blob Storage through botbuilder's own `BlobsStorage`, shared by every
 * instance of the bot: one blob per key, eTags as optimistic concurrency (a stale write is
 * refused with "eTag conflict", `"*"` always wins). Adds the readiness probe and the flush
 * the server needs.
 */
export class BlobStorage implements BotStorage {
  private readonly blobs: BlobsStorage;
  private readonly container: ContainerClient;
  private readonly pending = new InFlight();

  constructor(options: BlobStorageOptions) {
    this.blobs = new BlobsStorage(options.connectionString, options.container, { storagePipelineOptions: PIPELINE });
    this.container = new ContainerClient(options.connectionString, options.container, PIPELINE);
  }

  read(keys: string[]): Promise<StoreItems> {
    return this.blobs.read(keys);
  }

  write(changes: StoreItems): Promise<void> {
    return this.pending.track(this.blobs.write(changes));
  }

  delete(keys: string[]): Promise<void> {
    return this.pending.track(this.blobs.delete(keys));
  }

  /** Reads and writes a small blob, so /readyz says whether turns can be stored right now. */
  async ping(): Promise<void> {
    await this.container.createIfNotExists();
    const probe = this.container.getBlockBlobClient(PROBE);
    await probe.upload('ok', 2);
    await probe.getProperties();
  }

  flush(): Promise<void> {
    return this.pending.settled();
  }
}
