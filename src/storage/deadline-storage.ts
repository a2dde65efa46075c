import type { StoreItems } from 'botbuilder';
import type { Logger } from '../logger';
import { isETagConflict, jsonOf, READ_JSON, STORED_JSON, type BotStorage, WRITTEN_JSON } from './bot-storage';

/** A storage call that did not finish in time; the turn ends with the apology. */
export class StorageTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`storage ${operation} did not answer within ${timeoutMs} ms`);
    this.name = 'StorageTimeoutError';
  }
}

export interface DeadlineOptions {
  /** How long a read, write or delete may take (STORAGE_TIMEOUT_MS). */
  timeoutMs: number;
  /** How long the readiness probe may take (READY_TIMEOUT_MS). */
  pingTimeoutMs: number;
  logger?: Logger;
  /** First pause between attempts to fence a write that timed out; it doubles up to 5 s. */
  retryMs?: number;
  /** After this long a fence gives up (and says so in the log). */
  fenceGiveUpMs?: number;
}

/** A write that did not finish in time: what it was conditioned on and what it carried. */
interface Abandoned {
  key: string;
  /** The eTag it was written with: `undefined` creates only, `"*"` overwrites anything. */
  eTag: string | undefined;
  /** The item's JSON without its eTag, as the storage would hold it. */
  written: string;
  /** The item's JSON before the write, when the writer said (conversation state does). */
  before: string | undefined;
}

/**
 * Puts a deadline on every call of a storage, so a storage that stops answering (a network
 * partition, a frozen server) costs a turn seconds, not minutes.
 *
 * A call past its deadline is abandoned: its signal fires (Blob aborts the request) and the caller
 * gets {@link StorageTimeoutError}. A write may still reach the server after that, though, with the
 * person already told it failed. So each abandoned write is fenced: once the storage answers again,
 * its key is rewritten with its current content under a new eTag, which makes the late write's
 * condition stale, or, if the late write landed first, the content from before it is put back.
 * Until then this process's reads of that key wait. Writes with `"*"` cannot be fenced (nothing
 * conditions them); the log says when one was abandoned.
 */
export class DeadlineStorage implements BotStorage {
  private readonly fences = new Map<string, Promise<void>>();

  constructor(
    private readonly inner: BotStorage,
    private readonly options: DeadlineOptions,
  ) {}

  read(keys: string[]): Promise<StoreItems> {
    const waiting = keys.flatMap((key) => this.fences.get(key) ?? []);
    if (waiting.length === 0) return this.within('read', this.options.timeoutMs, (signal) => this.inner.read(keys, { signal }));
    return this.within('read', this.options.timeoutMs, async (signal) => {
      await Promise.all(waiting);
      return this.inner.read(keys, { signal });
    });
  }

  async write(changes: StoreItems): Promise<void> {
    try {
      await this.within('write', this.options.timeoutMs, (signal) => this.inner.write(changes, { signal }));
    } catch (err) {
      // A refused eTag changed nothing; anything else may have been applied, or may be yet.
      if (!isETagConflict(err)) for (const [key, item] of Object.entries(changes)) this.fence(abandoned(key, item));
      throw err;
    }
  }

  delete(keys: string[]): Promise<void> {
    return this.within('delete', this.options.timeoutMs, (signal) => this.inner.delete(keys, { signal }));
  }

  ping(): Promise<void> {
    return this.within('ping', this.options.pingTimeoutMs, (signal) => this.inner.ping({ signal }));
  }

  /** Waits for the writes under way and, for up to one deadline, for the fences. */
  async flush(): Promise<void> {
    await this.inner.flush();
    if (this.fences.size === 0) return;
    const fenced = Promise.all(this.fences.values());
    const late = await Promise.race([fenced.then(() => false), sleep(this.options.timeoutMs).then(() => true)]);
    if (late) this.options.logger?.error({ keys: [...this.fences.keys()] }, 'stopping with writes that timed out and are not fenced yet');
  }

  /** Keys whose abandoned writes are not fenced yet (for tests and the log). */
  get unfenced(): string[] {
    return [...this.fences.keys()];
  }

  private within<T>(operation: string, timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new StorageTimeoutError(operation, timeoutMs));
        controller.abort();
      }, timeoutMs);
      call(controller.signal).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private fence(write: Abandoned): void {
    if (write.eTag === '*') {
      this.options.logger?.warn({ key: write.key }, 'an unconditional write timed out; it may still be applied');
      return;
    }
    const giveUpAt = Date.now() + (this.options.fenceGiveUpMs ?? 600_000);
    const attempt = async (): Promise<void> => {
      for (let pause = this.options.retryMs ?? 200; ; pause = Math.min(pause * 2, 5_000)) {
        try {
          await this.fenceOnce(write);
          return;
        } catch {
          // The storage is still away, or someone wrote in between: look again.
        }
        if (Date.now() > giveUpAt) {
          this.options.logger?.error({ key: write.key }, 'gave up fencing a write that timed out; it may still be applied');
          return;
        }
        await sleep(pause);
      }
    };
    const fence: Promise<void> = (this.fences.get(write.key) ?? Promise.resolve()).then(attempt).finally(() => {
      if (this.fences.get(write.key) === fence) this.fences.delete(write.key);
    });
    this.fences.set(write.key, fence);
  }

  /** Makes the abandoned write unable to land, or undoes it; throws when it could not yet. */
  private async fenceOnce({ key, eTag, written, before }: Abandoned): Promise<void> {
    const timeoutMs = this.options.timeoutMs;
    const current = (await this.within('read', timeoutMs, (signal) => this.inner.read([key], { signal })))[key] as Record<string, unknown> | undefined;
    const put = (json: string, condition: string | undefined): Promise<void> => {
      const item = { ...(JSON.parse(json) as Record<string, unknown>), ...(condition ? { eTag: condition } : {}) };
      return this.within('write', timeoutMs, (signal) => this.inner.write({ [key]: item }, { signal }));
    };
    if (!current) {
      // Nothing there: a late create would land, so take the key first (an ifMatch write cannot).
      if (eTag === undefined) await put(before ?? '{}', undefined);
      return;
    }
    const currentETag = typeof current.eTag === 'string' ? current.eTag : undefined;
    const json = jsonOf(current, STORED_JSON) ?? JSON.stringify(withoutETag(current));
    if (json === written) {
      if (before === undefined) {
        this.options.logger?.warn({ key }, 'a write that timed out was applied later; nothing to put back');
        return;
      }
      this.options.logger?.warn({ key }, 'a write that timed out was applied later; putting back the state before it');
      await put(before, currentETag);
      return;
    }
    // Unchanged since the abandoned write was made: rewrite it as it is, so the late write's eTag is stale.
    if (eTag !== undefined && currentETag === eTag) await put(json, eTag);
  }
}

function abandoned(key: string, item: unknown): Abandoned {
  const record = (item ?? {}) as Record<string, unknown>;
  const eTag = typeof record.eTag === 'string' && record.eTag !== '' ? record.eTag : undefined;
  return { key, eTag, written: jsonOf(item, WRITTEN_JSON) ?? JSON.stringify(withoutETag(record)), before: jsonOf(item, READ_JSON) };
}

function withoutETag(item: Record<string, unknown>): Record<string, unknown> {
  const { eTag: _eTag, ...rest } = item;
  return rest;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
