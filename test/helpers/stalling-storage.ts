import { randomUUID } from 'node:crypto';
import type { StoreItems } from 'botbuilder';
import { STORED_JSON, withJson, type BotStorage } from '../../src/storage/bot-storage';

interface Held {
  kind: 'read' | 'write';
  run: () => void;
}

/**
 * An in-process stand-in for a blob service that can freeze, as a network partition or a stopped
 * server looks to the bot: while stalled, calls are held unanswered (an abort does not take them
 * back, the request has left), and on resume they are carried out, writes possibly later than
 * reads. Conditions are Blob's: an eTag writes over that version only, "*" over anything, no eTag
 * creates only.
 */
export class StallingStorage implements BotStorage {
  private readonly items = new Map<string, { json: string; eTag: string }>();
  private held: Held[] = [];
  private stalled: 'all' | 'writes' | undefined;
  /** Writes carried out so far, late ones included. */
  applied = 0;

  /** Holds every call from now on. */
  stall(what: 'all' | 'writes' = 'all'): void {
    this.stalled = what;
  }

  /** Answers again; held reads go at once, held writes after `writesAfterMs`. */
  async resume({ writesAfterMs = 0 }: { writesAfterMs?: number } = {}): Promise<void> {
    this.stalled = undefined;
    const held = this.held;
    this.held = [];
    for (const call of held.filter((h) => h.kind === 'read')) call.run();
    if (writesAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, writesAfterMs));
    for (const call of held.filter((h) => h.kind === 'write')) call.run();
  }

  /** The stored JSON of a key (without eTag), or undefined. */
  stored(key: string): string | undefined {
    return this.items.get(key)?.json;
  }

  read(keys: string[]): Promise<StoreItems> {
    return this.call('read', () => {
      const found: StoreItems = {};
      for (const key of keys) {
        const item = this.items.get(key);
        if (item) found[key] = withJson({ ...(JSON.parse(item.json) as object), eTag: item.eTag }, STORED_JSON, item.json);
      }
      return found;
    });
  }

  write(changes: StoreItems): Promise<void> {
    return this.call('write', () => {
      for (const [key, change] of Object.entries(changes)) {
        const { eTag, ...rest } = change as Record<string, unknown>;
        const current = this.items.get(key);
        const allowed = eTag === '*' || (typeof eTag === 'string' && eTag !== '' ? current?.eTag === eTag : current === undefined);
        if (!allowed) throw new Error(`StallingStorage: error writing "${key}" due to eTag conflict.`);
        this.items.set(key, { json: JSON.stringify(rest), eTag: randomUUID() });
        this.applied++;
      }
    });
  }

  delete(keys: string[]): Promise<void> {
    return this.call('write', () => {
      for (const key of keys) this.items.delete(key);
    });
  }

  ping(): Promise<void> {
    return this.call('read', () => undefined);
  }

  async flush(): Promise<void> {}

  private call<T>(kind: 'read' | 'write', work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        try {
          resolve(work());
        } catch (err) {
          reject(err as Error);
        }
      };
      const hold = this.stalled === 'all' || (this.stalled === 'writes' && kind === 'write');
      if (hold) this.held.push({ kind, run });
      else queueMicrotask(run);
    });
  }
}
