import { text } from 'node:stream/consumers';
import { ContainerClient, RestError, type BlobRequestConditions, type StoragePipelineOptions } from '@azure/storage-blob';
import type { StoreItems } from 'botbuilder';
import { InFlight } from '../async/in-flight';
import { jsonOf, STORED_JSON, withJson, WRITTEN_JSON, type BotStorage, type StorageCallOptions } from './bot-storage';

export interface BlobStorageOptions {
  connectionString: string;
  container: string;
  /** One try's limit; the deadline guard around this storage ends the call as a whole. */
  tryTimeoutMs?: number;
}

const PROBE = '_readyz';

/**
 * State on Azure Blob Storage, shared by every instance of the bot: one JSON blob per key,
 * named as botbuilder-azure-blobs' `BlobsStorage` names them (so its containers read on), with
 * the blob's ETag as the item's eTag.
 *
 * Written with our own calls rather than `BlobsStorage` because every call must be abortable
 * (its deadline) and conditioned exactly:
 * - an eTag writes only over that version (a stale one is refused with "eTag conflict");
 * - `"*"` overwrites whatever is there;
 * - no eTag creates only: the conversation state sends none when it read nothing, so two first
 *   turns of one conversation cannot both win, and a late first write cannot land over a newer one.
 */
export class BlobStorage implements BotStorage {
  private readonly container: ContainerClient;
  private readonly pending = new InFlight();
  private created: Promise<unknown> | undefined;

  constructor(options: BlobStorageOptions) {
    const tryTimeoutInMs = options.tryTimeoutMs ?? 5_000;
    const pipeline: StoragePipelineOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs, retryDelayInMs: 100, maxRetryDelayInMs: 500 } };
    this.container = new ContainerClient(options.connectionString, options.container, pipeline);
  }

  async read(keys: string[], options: StorageCallOptions = {}): Promise<StoreItems> {
    await this.ensureContainer(options.signal);
    const found = await Promise.all(keys.map((key) => this.readOne(key, options.signal)));
    const items: StoreItems = {};
    keys.forEach((key, index) => {
      if (found[index] !== undefined) items[key] = found[index];
    });
    return items;
  }

  write(changes: StoreItems, options: StorageCallOptions = {}): Promise<void> {
    return this.pending.track(
      (async () => {
        await this.ensureContainer(options.signal);
        await Promise.all(Object.entries(changes).map(([key, item]) => this.writeOne(key, item as Record<string, unknown>, options.signal)));
      })(),
    );
  }

  delete(keys: string[], options: StorageCallOptions = {}): Promise<void> {
    return this.pending.track(
      (async () => {
        await this.ensureContainer(options.signal);
        await Promise.all(keys.map((key) => this.container.getBlobClient(blobName(key)).deleteIfExists({ abortSignal: options.signal })));
      })(),
    );
  }

  /** Reads and writes a small blob, so /readyz says whether turns can be stored right now. */
  async ping(options: StorageCallOptions = {}): Promise<void> {
    await this.ensureContainer(options.signal);
    const probe = this.container.getBlockBlobClient(PROBE);
    await probe.upload('ok', 2, { abortSignal: options.signal });
    await probe.getProperties({ abortSignal: options.signal });
  }

  flush(): Promise<void> {
    return this.pending.settled();
  }

  // Created on first use, not at start-up: the bot starts while storage is away and gets ready by itself.
  private ensureContainer(signal: AbortSignal | undefined): Promise<unknown> {
    this.created ??= this.container.createIfNotExists({ abortSignal: signal }).catch((err: unknown) => {
      this.created = undefined;
      throw err;
    });
    return this.created;
  }

  private async readOne(key: string, signal: AbortSignal | undefined): Promise<Record<string, unknown> | undefined> {
    try {
      const blob = await this.container.getBlobClient(blobName(key)).download(0, undefined, { abortSignal: signal });
      if (!blob.readableStreamBody) return undefined;
      const json = await text(blob.readableStreamBody);
      return withJson({ ...(JSON.parse(json) as Record<string, unknown>), eTag: blob.etag }, STORED_JSON, json);
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  private async writeOne(key: string, item: Record<string, unknown>, signal: AbortSignal | undefined): Promise<void> {
    const { eTag, ...rest } = item;
    const json = jsonOf(item, WRITTEN_JSON) ?? JSON.stringify(rest);
    const conditions: BlobRequestConditions = eTag === '*' ? {} : typeof eTag === 'string' && eTag !== '' ? { ifMatch: eTag } : { ifNoneMatch: '*' };
    try {
      await this.container.getBlockBlobClient(blobName(key)).upload(json, Buffer.byteLength(json), {
        conditions,
        abortSignal: signal,
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    } catch (err) {
      // 412: the eTag is stale; 409: the blob exists although the write was create-only.
      if (err instanceof RestError && (err.statusCode === 412 || err.statusCode === 409)) throw new Error(`BlobStorage: error writing "${key}" due to eTag conflict.`);
      throw err;
    }
  }
}

/** The blob name of a key: empty path segments dropped, URI-encoded, at most 1,024 characters (as BlobsStorage). */
export function blobName(key: string): string {
  if (key === '') throw new Error('a storage key must not be empty');
  const joined = key
    .split('/')
    .filter((part, index) => index === 0 || part !== '')
    .join('/');
  return encodeURIComponent(joined).slice(0, 1024);
}
