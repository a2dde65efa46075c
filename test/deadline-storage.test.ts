import { describe, expect, it } from 'vitest';
import { READ_JSON, withJson, WRITTEN_JSON } from '../src/storage/bot-storage';
import { DeadlineStorage, StorageTimeoutError } from '../src/storage/deadline-storage';
import { StallingStorage } from './helpers/stalling-storage';

const TIMEOUT = 100;

function guarded(inner: StallingStorage): DeadlineStorage {
  return new DeadlineStorage(inner, { timeoutMs: TIMEOUT, pingTimeoutMs: 50, retryMs: 20 });
}

/** A state write as the conversation state makes it: with the JSON before and after. */
function stateWrite(state: object, before: string, eTag?: string): object {
  const item = { ...state, ...(eTag ? { eTag } : {}) };
  return withJson(withJson(item, WRITTEN_JSON, JSON.stringify(state)), READ_JSON, before);
}

async function settle(storage: DeadlineStorage): Promise<void> {
  for (let i = 0; i < 200 && storage.unfenced.length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(storage.unfenced).toEqual([]);
}

async function eTagOf(storage: DeadlineStorage, key: string): Promise<string> {
  return ((await storage.read([key]))[key] as { eTag: string }).eTag;
}

describe('DeadlineStorage', () => {
  it('ends a read, a write, a delete and the probe that get no answer with StorageTimeoutError, each within its deadline', async () => {
    const inner = new StallingStorage();
    const storage = guarded(inner);
    inner.stall();
    const started = Date.now();
    const results = await Promise.allSettled([storage.read(['a']), storage.write({ a: { n: 1, eTag: '*' } }), storage.delete(['a']), storage.ping()]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'answered'))).toEqual(Array(4).fill('StorageTimeoutError'));
    // Generous: the point is seconds, not the SDK's minutes.
    expect(Date.now() - started).toBeLessThan(2_000);
    await inner.resume();
  });

  it('answers as the storage does while it answers in time, stale eTags included', async () => {
    const storage = guarded(new StallingStorage());
    await storage.write({ a: { n: 1 } });
    const eTag = await eTagOf(storage, 'a');
    await storage.write({ a: { n: 2, eTag } });
    await expect(storage.write({ a: { n: 3, eTag } })).rejects.toThrow(/eTag conflict/);
    expect(storage.unfenced).toEqual([]);
    expect((await storage.read(['a'])).a).toMatchObject({ n: 2 });
  });

  it('a write that timed out and lands later, before the fence looks, is undone: the state before it comes back', async () => {
    const inner = new StallingStorage();
    const storage = guarded(inner);
    await storage.write({ conv: { step: 1 } });
    const eTag = await eTagOf(storage, 'conv');
    inner.stall('writes');
    await expect(storage.write({ conv: stateWrite({ step: 2 }, JSON.stringify({ step: 1 }), eTag) })).rejects.toBeInstanceOf(StorageTimeoutError);
    expect(storage.unfenced).toEqual(['conv']);
    await inner.resume();
    await settle(storage);
    expect(inner.stored('conv')).toBe(JSON.stringify({ step: 1 }));
  });

  it('a write that timed out and would land after the fence is refused by its stale eTag', async () => {
    const inner = new StallingStorage();
    const storage = guarded(inner);
    await storage.write({ conv: { step: 1 } });
    const eTag = await eTagOf(storage, 'conv');
    inner.stall('writes');
    await expect(storage.write({ conv: stateWrite({ step: 2 }, JSON.stringify({ step: 1 }), eTag) })).rejects.toBeInstanceOf(StorageTimeoutError);
    const appliedBefore = inner.applied;
    await inner.resume({ writesAfterMs: 300 });
    await settle(storage);
    // The fence rewrote the state as it was; the late write found its eTag stale and was not applied.
    expect(inner.applied).toBe(appliedBefore + 1);
    expect(inner.stored('conv')).toBe(JSON.stringify({ step: 1 }));
  });

  it('the first write of a new key that timed out cannot create it later', async () => {
    for (const writesAfterMs of [0, 300]) {
      const inner = new StallingStorage();
      const storage = guarded(inner);
      inner.stall('writes');
      await expect(storage.write({ fresh: stateWrite({ step: 1 }, '{}') })).rejects.toBeInstanceOf(StorageTimeoutError);
      await inner.resume({ writesAfterMs });
      await settle(storage);
      expect(inner.stored('fresh'), `late write after ${writesAfterMs} ms`).toBe('{}');
    }
  });

  it('while a key is being fenced, this process reads it only after the fence', async () => {
    const inner = new StallingStorage();
    const storage = guarded(inner);
    await storage.write({ conv: { step: 1 } });
    const eTag = await eTagOf(storage, 'conv');
    inner.stall('writes');
    await expect(storage.write({ conv: stateWrite({ step: 2 }, JSON.stringify({ step: 1 }), eTag) })).rejects.toBeInstanceOf(StorageTimeoutError);
    const resumed = inner.resume();
    // Issued at once, answered after the fence has put the state back.
    const read = await storage.read(['conv']);
    await resumed;
    expect(read.conv).toMatchObject({ step: 1 });
    expect(storage.unfenced).toEqual([]);
  });

  it('does not fence a write refused for its eTag, nor one written with "*"', async () => {
    const inner = new StallingStorage();
    const storage = guarded(inner);
    await storage.write({ a: { n: 1 } });
    await expect(storage.write({ a: { n: 2, eTag: 'stale' } })).rejects.toThrow(/eTag conflict/);
    inner.stall('writes');
    await expect(storage.write({ a: { n: 3, eTag: '*' } })).rejects.toBeInstanceOf(StorageTimeoutError);
    expect(storage.unfenced).toEqual([]);
    await inner.resume();
  });

  it('the probe has its own, shorter deadline', async () => {
    const inner = new StallingStorage();
    const storage = new DeadlineStorage(inner, { timeoutMs: 5_000, pingTimeoutMs: 50 });
    inner.stall();
    const started = Date.now();
    await expect(storage.ping()).rejects.toThrow(/ping did not answer within 50 ms/);
    expect(Date.now() - started).toBeLessThan(1_000);
    await inner.resume();
  });
});
