import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStorage, type CorruptFile } from '../src/storage/file-storage';
import { decodeSlot, encodeSlot } from '../src/storage/slot-file';

const projectRoot = path.resolve(__dirname, '..');

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-storage-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function baseFor(key: string, directory = dir): string {
  return path.join(directory, createHash('sha256').update(key, 'utf8').digest('hex'));
}

/** The file of the earlier layout (one JSON file per key, replaced by rename), still read. */
function fileFor(key: string, directory = dir): string {
  return `${baseFor(key, directory)}.json`;
}

/** A key's two slot files. */
function slotFiles(key: string, directory = dir): [string, string] {
  return [`${baseFor(key, directory)}.a`, `${baseFor(key, directory)}.b`];
}

/** The record a key has on disk: the whole slot with the highest version, parsed; undefined if none. */
async function onDisk(key: string): Promise<unknown> {
  let best: { version: number; text: string } | undefined;
  for (const file of slotFiles(key)) {
    const data = await fs.readFile(file).catch(() => undefined);
    const decoded = data && decodeSlot(data);
    if (decoded && (!best || decoded.version > best.version)) best = decoded;
  }
  return best && (JSON.parse(best.text) as unknown);
}

/** Both slot files' bytes, to tell whether a write touched them. */
async function slotBytes(key: string): Promise<string> {
  const contents = await Promise.all(slotFiles(key).map((file) => fs.readFile(file, 'latin1').catch(() => '')));
  return contents.join('|');
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function started(options: Partial<ConstructorParameters<typeof FileStorage>[0]> = {}): Promise<FileStorage> {
  const storage = new FileStorage({ directory: dir, ...options });
  await storage.init();
  return storage;
}

async function eTagOf(storage: FileStorage, key: string): Promise<string> {
  const items = await storage.read([key]);
  const eTag: unknown = items[key]?.eTag;
  if (typeof eTag !== 'string') throw new Error(`no eTag for ${key}`);
  return eTag;
}

describe('FileStorage', () => {
  it('round-trips an item and stores { key, eTag, item } in sha256-named slot files', async () => {
    const storage = await started();
    await storage.write({ 'conv/1': { dialog: { step: 2, answers: ['ja', 'nej'] } } });

    const items = await storage.read(['conv/1']);
    expect(items['conv/1']).toEqual({ dialog: { step: 2, answers: ['ja', 'nej'] }, eTag: expect.any(String) });

    expect(await onDisk('conv/1')).toEqual({ key: 'conv/1', eTag: items['conv/1'].eTag, item: { dialog: { step: 2, answers: ['ja', 'nej'] } } });
  });

  it('leaves missing keys out of the result', async () => {
    const storage = await started();
    await storage.write({ here: { n: 1 } });
    const items = await storage.read(['here', 'not-here']);
    expect(Object.keys(items)).toEqual(['here']);
    expect(await storage.read([])).toEqual({});
  });

  it('hands out copies: reads and writes share no objects with the caller', async () => {
    const storage = await started();
    const original = { list: [1, 2], nested: { a: 'x' } };
    const writing = storage.write({ k: original });
    // Changed after write() was called but before it finished: must not reach the disk.
    original.list.push(3);
    original.nested.a = 'changed';
    await writing;
    expect(original).toEqual({ list: [1, 2, 3], nested: { a: 'changed' } });
    expect(original).not.toHaveProperty('eTag');

    const first = await storage.read(['k']);
    first.k.list.push(99);
    first.k.nested.a = 'mutated';
    const second = await storage.read(['k']);
    expect(second.k).toEqual({ list: [1, 2], nested: { a: 'x' }, eTag: first.k.eTag });
  });

  describe('eTags', () => {
    it('refuses a stale eTag, names the key and leaves the file untouched', async () => {
      const storage = await started();
      await storage.write({ k: { v: 1 } });
      const stale = await eTagOf(storage, 'k');
      await storage.write({ k: { v: 2, eTag: stale } });
      const before = await slotBytes('k');

      await expect(storage.write({ k: { v: 3, eTag: stale } })).rejects.toThrow(/eTag conflict.*"k"|"k".*eTag conflict/);

      expect(await slotBytes('k')).toBe(before);
      expect((await storage.read(['k'])).k.v).toBe(2);
    });

    it('accepts the current eTag and assigns a new one', async () => {
      const storage = await started();
      await storage.write({ k: { v: 1 } });
      const current = await eTagOf(storage, 'k');
      await storage.write({ k: { v: 2, eTag: current } });
      const next = await eTagOf(storage, 'k');
      expect(next).not.toBe(current);
      expect((await storage.read(['k'])).k.v).toBe(2);
    });

    it('lets "*" overwrite whatever is stored', async () => {
      const storage = await started();
      await storage.write({ k: { v: 1 } });
      const before = await eTagOf(storage, 'k');
      await storage.write({ k: { v: 2, eTag: '*' } });
      const items = await storage.read(['k']);
      expect(items.k.v).toBe(2);
      expect(items.k.eTag).not.toBe(before);
    });

    it('lets an item without an eTag overwrite whatever is stored', async () => {
      const storage = await started();
      await storage.write({ k: { v: 1 } });
      await storage.write({ k: { v: 2 } });
      expect((await storage.read(['k'])).k.v).toBe(2);
    });

    it('writes a new item whatever eTag it carries', async () => {
      const storage = await started();
      await storage.write({ fresh: { v: 1, eTag: 'made-up' } });
      const items = await storage.read(['fresh']);
      expect(items.fresh.v).toBe(1);
      expect(items.fresh.eTag).not.toBe('made-up');
    });

    it('still writes the other keys of a batch when one key conflicts, like MemoryStorage', async () => {
      const storage = await started();
      await storage.write({ a: { v: 1 } });
      await storage.write({ a: { v: 2 } });
      await expect(storage.write({ a: { v: 3, eTag: 'stale' }, b: { v: 1 } })).rejects.toThrow(/eTag conflict.*"a"|"a".*eTag conflict/);
      const items = await storage.read(['a', 'b']);
      expect(items.a.v).toBe(2);
      expect(items.b.v).toBe(1);
    });

    it('lets exactly one of several concurrent writers with the same eTag win', async () => {
      const storage = await started();
      await storage.write({ k: { v: 'start' } });
      const eTag = await eTagOf(storage, 'k');

      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => storage.write({ k: { v: `writer-${i}`, eTag } })),
      );

      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(String(result.reason)).toMatch(/eTag conflict/);
      }
      expect((await storage.read(['k'])).k.v).toBe(`writer-${winners[0]}`);
    });
  });

  it('does not keep lock entries for idle keys', async () => {
    const storage = await started();
    await storage.write({ b: { v: 0 } });
    const results = await Promise.allSettled([
      storage.write({ a: { v: 1 } }),
      storage.write({ a: { v: 2 }, b: { v: 1 } }),
      storage.write({ b: { v: 2, eTag: 'stale' } }),
      storage.delete(['a', 'c']),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // Reaching into the private map is the only way to see a leak before it costs memory.
    expect(storage['locks'].size).toBe(0);
  });

  it('keeps data and eTags across a restart on the same directory', async () => {
    const first = await started();
    await first.write({ k: { v: 'kept' } });
    const eTag = await eTagOf(first, 'k');
    await first.flush();

    const second = await started();
    expect((await second.read(['k'])).k).toEqual({ v: 'kept', eTag });
    await expect(second.write({ k: { v: 'x', eTag: 'other' } })).rejects.toThrow(/eTag conflict/);
    await second.write({ k: { v: 'updated', eTag } });
    expect((await second.read(['k'])).k.v).toBe('updated');
  });

  it('deletes keys and ignores keys that do not exist', async () => {
    const storage = await started();
    await storage.write({ a: { v: 1 }, b: { v: 2 } });
    await storage.delete(['a', 'never-written']);
    for (const file of slotFiles('a')) expect(await exists(file)).toBe(false);
    expect(await storage.read(['a', 'b'])).toEqual({ b: { v: 2, eTag: expect.any(String) } });
  });

  it('stores keys with slashes, dot-dot, unicode and 5,000 characters inside the directory', async () => {
    const storage = await started();
    const keys = ['msteams/conversations/a:b/users/29:1x', '../../../etc/passwd', 'æøå-Ærø-🇩🇰-日本', 'k'.repeat(5_000)];
    await storage.write(Object.fromEntries(keys.map((key, i) => [key, { i }])));

    const items = await storage.read(keys);
    expect(keys.map((key) => items[key]?.i)).toEqual([0, 1, 2, 3]);
    const names = (await fs.readdir(dir)).sort();
    // One slot file per key after a first write: `<sha256>.a`.
    expect(names).toEqual(keys.map((key) => path.basename(slotFiles(key)[0])).sort());
    expect(names.every((name) => /^[0-9a-f]{64}\.a$/.test(name))).toBe(true);
  });

  it('flush waits for writes and deletes that are still in flight', async () => {
    const storage = await started();
    await storage.write({ gone: { v: 1 } });
    const big = 'x'.repeat(500_000);
    const writes = ['a', 'b', 'c'].map((key) => storage.write({ [key]: { big } }));
    const conflicting = storage.write({ gone: { v: 2, eTag: 'stale' } });
    const deleting = storage.delete(['gone']);

    await storage.flush();

    for (const key of ['a', 'b', 'c']) expect(await onDisk(key)).toMatchObject({ key, item: { big } });
    for (const file of slotFiles('gone')) expect(await exists(file)).toBe(false);
    await Promise.all([...writes, deleting]);
    await expect(conflicting).rejects.toThrow(/eTag conflict/);
  });

  describe('ping', () => {
    it('resolves for a usable directory and leaves no probe behind', async () => {
      const storage = await started();
      await storage.ping();
      expect(await fs.readdir(dir)).toEqual([]);
    });

    it('rejects when the directory path lies under a regular file', async () => {
      await fs.writeFile(path.join(dir, 'plain-file'), 'not a directory');
      const storage = new FileStorage({ directory: path.join(dir, 'plain-file', 'data') });
      await expect(storage.ping()).rejects.toThrow();
      await expect(storage.init()).rejects.toThrow();
    });

    it('rejects when the directory disappears after init', async () => {
      const storage = new FileStorage({ directory: path.join(dir, 'data') });
      await storage.init();
      await storage.ping();
      await fs.rm(path.join(dir, 'data'), { recursive: true });
      await expect(storage.ping()).rejects.toThrow();
    });
  });

  it('creates a missing directory recursively on init', async () => {
    const nested = path.join(dir, 'a', 'b', 'c');
    const storage = new FileStorage({ directory: nested });
    await storage.init();
    expect((await fs.stat(nested)).isDirectory()).toBe(true);
  });

  it('never reads leftover .tmp files and removes the stale ones after init', async () => {
    const record = (key: string) => JSON.stringify({ key, eTag: 'e', item: { fromTemp: true } });
    const stale = `${fileFor('old')}.crashed.tmp`;
    const recent = `${fileFor('new')}.in-progress.tmp`;
    await fs.writeFile(stale, record('old'));
    await fs.writeFile(recent, record('new'));
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await fs.utimes(stale, twoMinutesAgo, twoMinutesAgo);

    const storage = await started();
    await storage.flush();

    expect(await exists(stale)).toBe(false);
    expect(await exists(recent)).toBe(true);
    expect(await storage.read(['old', 'new'])).toEqual({});
    await storage.write({ new: { v: 1 } });
    expect((await storage.read(['new'])).new.v).toBe(1);
  });

  it('skips corrupt files, reports them, and lets a write replace them', async () => {
    const reports: CorruptFile[] = [];
    const storage = await started({ onCorrupt: (details) => reports.push(details) });
    await storage.write({ fine: { v: 1 } });
    await fs.writeFile(fileFor('broken'), '{"key":"broken","eTag":"e","item":{"v":');
    await fs.writeFile(fileFor('odd'), JSON.stringify({ key: 'odd', item: 'not an object' }));

    const items = await storage.read(['fine', 'broken', 'odd']);

    expect(Object.keys(items)).toEqual(['fine']);
    // Keys are read in parallel, so reports may come in either order.
    expect(reports.map(({ key, file }) => ({ key, file })).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'broken', file: fileFor('broken') },
      { key: 'odd', file: fileFor('odd') },
    ]);
    expect(reports.every(({ error }) => error instanceof Error)).toBe(true);

    await storage.write({ broken: { v: 2 } });
    expect((await storage.read(['broken'])).broken.v).toBe(2);
  });

  it('skips corrupt files without a callback', async () => {
    const storage = await started();
    await fs.writeFile(fileFor('broken'), 'garbage');
    await expect(storage.read(['broken'])).resolves.toEqual({});
  });

  it('rejects items that are not objects before writing anything', async () => {
    const storage = await started();
    await expect(storage.write({ ok: { v: 1 }, bad: 'text' })).rejects.toThrow(TypeError);
    expect(await storage.read(['ok', 'bad'])).toEqual({});
  });

  it('leaves a complete value or none when the process is killed mid-write', async () => {
    const size = 1_000_000;
    const script = `
      const { FileStorage } = require(process.env.FS_MODULE);
      const storage = new FileStorage({ directory: process.env.FS_DIR, fsync: true });
      (async () => {
        await storage.init();
        for (let n = 0; ; n++) {
          await storage.write({ big: { n, payload: String(n % 10).repeat(${size}) } });
          if (n === 0) process.stdout.write('ready\\n');
        }
      })();
    `;
    const isComplete = (item: unknown): boolean => {
      if (typeof item !== 'object' || item === null || !('n' in item) || !('payload' in item)) return false;
      return typeof item.n === 'number' && item.payload === String(item.n % 10).repeat(size);
    };
    // What another reader of the directory gets (no cache: a new FileStorage each time).
    const readFresh = async (): Promise<unknown> => (await new FileStorage({ directory: dir }).read(['big'])).big;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: projectRoot,
      env: { ...process.env, FS_MODULE: path.join(projectRoot, 'src', 'storage', 'file-storage.ts'), FS_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      const ready = await new Promise<boolean>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve(true);
        });
        void exited.then(() => resolve(false));
      });
      expect(ready, stderr).toBe(true);

      // Read along while the child writes in place: a reader must never get a half-written record
      // (the slot being written fails its checksum, and the other slot's record is read).
      const partialReads: unknown[] = [];
      let reads = 0;
      const killAt = Date.now() + 300;
      // At least a few reads however slow a busy machine makes them.
      while (Date.now() < killAt || reads < 5) {
        const item = await readFresh();
        reads++;
        if (!isComplete(item)) partialReads.push(item);
      }
      expect(partialReads).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');

    // At least one write finished before 'ready', so a whole record must be there.
    expect(isComplete(await readFresh())).toBe(true);
    const item = (await (await started()).read(['big'])).big;
    expect(item.payload).toBe(String(item.n % 10).repeat(size));
  });

  it('reads the previous record when the slot being written was cut short, and writes over that slot next', async () => {
    const reports: CorruptFile[] = [];
    const storage = await started({ onCorrupt: (details) => reports.push(details) });
    await storage.write({ k: { v: 1 } });
    await storage.write({ k: { v: 2, eTag: await eTagOf(storage, 'k') } });
    // Version 2 went to slot b; cut it short as a power loss could (the header promises more bytes).
    const [, slotB] = slotFiles('k');
    const whole = await fs.readFile(slotB);
    await fs.writeFile(slotB, whole.subarray(0, whole.length - 5));

    const restarted = await started({ onCorrupt: (details) => reports.push(details) });
    const item = (await restarted.read(['k'])).k;
    expect(item.v).toBe(1);
    expect(reports).toEqual([]);
    await restarted.write({ k: { v: 3, eTag: item.eTag } });
    expect(await onDisk('k')).toMatchObject({ item: { v: 3 } });
    expect(decodeSlot(await fs.readFile(slotB))?.version).toBe(2);
    expect((await new FileStorage({ directory: dir }).read(['k'])).k.v).toBe(3);
  });

  it('reports a key whose only slot holds no whole record, and a write starts it afresh', async () => {
    const reports: CorruptFile[] = [];
    const storage = await started({ onCorrupt: (details) => reports.push(details) });
    const [slotA] = slotFiles('k');
    await fs.writeFile(slotA, encodeSlot(1, '{"key":"k","eTag":"e","item":{"v":1}}').subarray(0, 20));
    expect(await storage.read(['k'])).toEqual({});
    expect(reports.map(({ key, file }) => ({ key, file }))).toEqual([{ key: 'k', file: slotA }]);
    await storage.write({ k: { v: 2 } });
    expect((await new FileStorage({ directory: dir }).read(['k'])).k.v).toBe(2);
  });

  it('reads again when both slots are torn at once, as when another process writes twice while they are read', async () => {
    const reports: CorruptFile[] = [];
    const writer = await started();
    await writer.write({ k: { v: 1 } });
    await writer.write({ k: { v: 2, eTag: await eTagOf(writer, 'k') } });
    const [slotA, slotB] = slotFiles('k');
    const wholeB = await fs.readFile(slotB);
    // What a reader may see mid-way: slot a being overwritten with version 3, slot b with version 4.
    await fs.writeFile(slotA, encodeSlot(3, '{"key":"k","eTag":"e3","item":{"v":3}}').subarray(0, 30));
    await fs.writeFile(slotB, wholeB.subarray(0, 30));

    const reader = new FileStorage({ directory: dir, onCorrupt: (details) => reports.push(details) });
    const reading = reader.read(['k']);
    // The writer finishes a moment later; a reader that gave up at once would have found nothing.
    await new Promise((resolve) => setTimeout(resolve, 10));
    await fs.writeFile(slotB, wholeB);

    expect((await reading).k?.v).toBe(2);
    expect(reports).toEqual([]);
  });

  it('keeps a bounded number of slot files open, and a deleted key is written to a new file', async () => {
    const openFiles = async (): Promise<number> => (await fs.readdir('/proc/self/fd')).length;
    const storage = await started();
    const before = await openFiles();
    const keys = Array.from({ length: 300 }, (_, i) => `conv/${i}`);
    for (const key of keys) await storage.write({ [key]: { v: 1 } });
    for (const key of keys) await storage.write({ [key]: { v: 2, eTag: await eTagOf(storage, key) } });
    expect((await openFiles()) - before).toBeLessThanOrEqual(128);

    await storage.write({ gone: { v: 1 } });
    await storage.delete(['gone']);
    await storage.write({ gone: { v: 2 } });
    const fresh = new FileStorage({ directory: dir });
    expect((await fresh.read(['gone'])).gone.v).toBe(2);
    expect(Object.keys(await fresh.read(keys))).toHaveLength(300);
    expect(Object.values(await fresh.read(keys)).every((item) => item.v === 2)).toBe(true);

    await storage.flush();
    expect(await openFiles()).toBeLessThanOrEqual(before);
  });

  it('reads records of the earlier layout and moves them to slots on the next write', async () => {
    await fs.writeFile(fileFor('old'), JSON.stringify({ key: 'old', eTag: 'e1', item: { v: 1 } }));
    const storage = await started();
    const item = (await storage.read(['old'])).old;
    expect(item).toEqual({ v: 1, eTag: 'e1' });
    await storage.write({ old: { v: 2, eTag: 'e1' } });
    expect(await exists(fileFor('old'))).toBe(false);
    expect(await onDisk('old')).toMatchObject({ item: { v: 2 } });
    expect((await new FileStorage({ directory: dir }).read(['old'])).old.v).toBe(2);
  });
});

describe('the in-memory cache of written records', () => {
  it('serves reads of written keys without the disk, as copies, and forgets deleted keys', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mitid-cache-'));
    try {
      const storage = new FileStorage({ directory: dir, cacheEntries: 2 });
      await storage.write({ a: { v: 1 } });
      const [file] = slotFiles('a', dir);
      await fs.rm(file); // gone from disk: only the cache can answer now
      const first = await storage.read(['a']);
      expect(first.a.v).toBe(1);
      first.a.v = 99;
      expect((await storage.read(['a'])).a.v).toBe(1);

      await storage.write({ b: { v: 2 }, c: { v: 3 } }); // pushes "a" out of a cache of two
      expect(await storage.read(['a'])).toEqual({});

      await storage.delete(['b']);
      expect(await storage.read(['b'])).toEqual({});
      expect((await storage.read(['c'])).c.v).toBe(3);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a stale eTag is still refused when the record comes from the cache', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mitid-cache-'));
    try {
      const storage = new FileStorage({ directory: dir });
      await storage.write({ k: { v: 1 } });
      const { k } = await storage.read(['k']);
      await storage.write({ k: { ...k, v: 2 } });
      await expect(storage.write({ k: { ...k, v: 3 } })).rejects.toThrow(/eTag conflict/);
      expect((await storage.read(['k'])).k.v).toBe(2);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('checks eTags right for a key that looks like the record text around it', async () => {
    const storage = await started();
    const key = 'x","eTag":"forged';
    await storage.write({ [key]: { v: 1 } });
    const stored = await storage.read([key]);
    await storage.write({ [key]: { ...stored[key], v: 2 } });
    await expect(storage.write({ [key]: { ...stored[key], v: 3 } })).rejects.toThrow(/eTag conflict/);
    expect(await onDisk(key)).toEqual({ key, eTag: (await storage.read([key]))[key]!.eTag, item: { v: 2 } });
  });

  it('refuses an item whose own toJSON does not give an object', async () => {
    const storage = await started();
    await expect(storage.write({ k: { toJSON: () => 'text' } })).rejects.toThrow(TypeError);
    expect(await storage.read(['k'])).toEqual({});
  });

  it('remembers keys found missing, until they are written', async () => {
    const storage = await started();
    expect(await storage.read(['never'])).toEqual({});
    // Only this process writes the directory, so a file that appears behind its back is not looked for.
    await fs.writeFile(fileFor('never'), JSON.stringify({ key: 'never', eTag: 'e', item: { v: 0 } }));
    expect(await storage.read(['never'])).toEqual({});
    await storage.write({ never: { v: 1 } });
    expect((await storage.read(['never'])).never.v).toBe(1);
  });

  it('does not take a key for missing when a write overlapped the lookup, even once the record left the cache', async () => {
    const storage = await started({ cacheEntries: 1 });
    for (let round = 0; round < 20; round++) {
      const key = `racing-${round}`;
      await Promise.all([storage.read([key]), storage.write({ [key]: { v: round } }), storage.read([key])]);
      // Another key takes the one cache place, so the next read must not rely on it.
      await storage.write({ other: { v: round } });
      expect((await storage.read([key]))[key]?.v).toBe(round);
    }
  });

  it('forgets that a key was missing once it is deleted and written again', async () => {
    const storage = await started();
    await storage.write({ k: { v: 1 } });
    await storage.delete(['k']);
    expect(await storage.read(['k'])).toEqual({});
    await storage.write({ k: { v: 2 } });
    expect((await storage.read(['k'])).k.v).toBe(2);
  });
});
