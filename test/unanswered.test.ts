import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { UNANSWERED_KEY, UnansweredLog } from '../src/nlu/unanswered-log';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite-storage';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 11, minute));

const tempDirs: string[] = [];

async function sqliteStorage(): Promise<SqliteStorage> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'unanswered-'));
  tempDirs.push(directory);
  const storage = await openSqliteStorage({ DATA_DIR: directory, STORAGE_FSYNC: false });
  return storage;
}

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

/** Everything the storage holds for the log, as JSON text. */
async function storedJson(storage: Storage): Promise<string> {
  return JSON.stringify(await storage.read([UNANSWERED_KEY]));
}

const storages: ReadonlyArray<[string, () => Promise<Storage>]> = [
  ['MemoryStorage', () => Promise.resolve(new MemoryStorage())],
  ['SqliteStorage', sqliteStorage],
];

describe.each(storages)('UnansweredLog on %s', (_name, makeStorage) => {
  it('starts empty', async () => {
    expect(await new UnansweredLog(await makeStorage()).list()).toEqual([]);
  });

  it('counts a repeated question once, however it is cased or punctuated, keeping the first wording', async () => {
    const log = new UnansweredLog(await makeStorage());
    await log.record('Hvad bliver vejret i morgen?', 'none', at(1));
    await log.record('hvad bliver vejret i morgen', 'none', at(2));
    await log.record('HVAD BLIVER VEJRET I MORGEN!!!', 'none', at(3));
    expect(await log.list()).toEqual([
      {
        text: 'Hvad bliver vejret i morgen?',
        count: 3,
        reasons: { none: 3 },
        firstAt: at(1).toISOString(),
        lastAt: at(3).toISOString(),
      },
    ]);
  });

  it('counts the reasons separately', async () => {
    const log = new UnansweredLog(await makeStorage());
    await log.record('hvad koster et nyt pas', 'none', at(1));
    await log.record('hvad koster et nyt pas', 'none_of_these', at(2));
    await log.record('Hvad koster et nyt pas?', 'none', at(3));
    const [entry] = await log.list();
    expect(entry?.count).toBe(3);
    expect(entry?.reasons).toEqual({ none: 2, none_of_these: 1 });
  });

  it('lists the most frequent questions first, the newest first among equals', async () => {
    const log = new UnansweredLog(await makeStorage());
    await log.record('en gang', 'none', at(1));
    await log.record('tre gange', 'none', at(2));
    await log.record('to gange', 'none', at(3));
    await log.record('tre gange', 'none', at(4));
    await log.record('to gange', 'none', at(5));
    await log.record('tre gange', 'none', at(6));
    await log.record('også en gang', 'none', at(7));
    const list = await log.list();
    expect(list.map((e) => [e.text, e.count])).toEqual([
      ['tre gange', 3],
      ['to gange', 2],
      ['også en gang', 1],
      ['en gang', 1],
    ]);
  });

  it('masks CPR numbers, phone numbers and e-mail addresses before anything is stored', async () => {
    const storage = await makeStorage();
    const log = new UnansweredLog(storage);
    await log.record('mit cpr er 010190-1234, hvad nu', 'none', at(1));
    await log.record('ring til mig på 12 34 56 78 om vejret', 'none', at(2));
    await log.record('skriv til inge.hansen@example.dk om vejret', 'none', at(3));
    const texts = (await log.list()).map((e) => e.text).sort();
    expect(texts).toEqual(['mit cpr er [CPR], hvad nu', 'ring til mig på [telefon] om vejret', 'skriv til [e-mail] om vejret']);
    const stored = await storedJson(storage);
    for (const secret of ['010190', '190-1234', '12 34 56 78', 'inge.hansen', 'example.dk']) expect(stored).not.toContain(secret);
  });

  it('counts the same question with different personal data as one question', async () => {
    const log = new UnansweredLog(await makeStorage());
    await log.record('mit cpr er 010190-1234, hvad nu', 'none', at(1));
    await log.record('mit cpr er 311299-4321, hvad nu', 'none', at(2));
    expect((await log.list()).map((e) => [e.text, e.count])).toEqual([['mit cpr er [CPR], hvad nu', 2]]);
  });

  it('ignores a message that is empty after normalisation', async () => {
    const log = new UnansweredLog(await makeStorage());
    await log.record('!!! ???', 'none', at(1));
    await log.record('   ', 'none', at(2));
    expect(await log.list()).toEqual([]);
  });

  it('two logs on the same storage see each other’s counts', async () => {
    const storage = await makeStorage();
    await new UnansweredLog(storage).record('hvornår spiller landsholdet', 'none', at(1));
    await new UnansweredLog(storage).record('Hvornår spiller landsholdet?', 'none_of_these', at(2));
    expect(await new UnansweredLog(storage).list()).toEqual([
      expect.objectContaining({ text: 'hvornår spiller landsholdet', count: 2, reasons: { none: 1, none_of_these: 1 } }),
    ]);
  });

  it('a few concurrent records on an existing log are merged by eTag, not overwritten', async () => {
    const log = new UnansweredLog(await makeStorage());
    await log.record('noget andet', 'none', at(0));
    await Promise.all(Array.from({ length: 4 }, (_, i) => log.record('hvad er klokken', 'none', at(i + 1))));
    expect((await log.list()).map((e) => [e.text, e.count])).toEqual([
      ['hvad er klokken', 4],
      ['noget andet', 1],
    ]);
  });
});

describe('UnansweredLog under load on SqliteStorage', () => {
  it('20 records in parallel on a fresh log lose no count', async () => {
    const log = new UnansweredLog(await sqliteStorage());
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.record('hvad bliver vejret', 'none', at(i))));
    expect((await log.list()).map((e) => [e.text, e.count])).toEqual([['hvad bliver vejret', 20]]);
  });

  it('20 records in parallel on an existing log lose no count and none is refused', async () => {
    const log = new UnansweredLog(await sqliteStorage());
    await log.record('noget andet', 'none', at(0));
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => log.record('hvad bliver vejret', 'none', at(i + 1))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await log.list()).map((e) => [e.text, e.count])).toEqual([
      ['hvad bliver vejret', 20],
      ['noget andet', 1],
    ]);
  });
});

describe('UnansweredLog batches its writes', () => {
  it('a burst of 50 fallbacks costs at most two writes of the document, and every count is kept', async () => {
    const memory = new MemoryStorage();
    let writes = 0;
    const counting: Storage = {
      read: (keys) => memory.read(keys),
      write: (changes) => {
        writes++;
        return memory.write(changes);
      },
      delete: (keys) => memory.delete(keys),
    };
    const log = new UnansweredLog(counting);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.record(`spørgsmål ${i % 5}`, 'none', new Date(Date.UTC(2026, 10, 21, 12, 0, i)))));
    expect(writes).toBeLessThanOrEqual(2);
    const entries = await log.list();
    expect(entries).toHaveLength(5);
    expect(entries.every((e) => e.count === 10)).toBe(true);
  });
});
