import { promises as fs, readFile as readFileCallback } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { decodeSlot } from './slot-file';

// The callback API skips the FileHandle the promise API wraps each file in.
const readWholeFile = promisify(readFileCallback);

/** A key's two slot files, written in turn: `<sha256>.a` and `<sha256>.b`. */
export const SLOT_SUFFIXES = ['.a', '.b'] as const;
/** Files of the earlier layout (one `<sha256>.json` per key, replaced by rename): still read, removed on the next write. */
export const LEGACY_SUFFIX = '.json';

/** The longest pause between reads of a key whose slots were all torn (pauses 1, 4, 16, 64 ms). */
const TORN_READ_WAIT_MS = 64;

/** Where a key's current record is: its version and slot, and whether an earlier-layout file is still there. */
export interface SlotState {
  version: number;
  slot: 0 | 1;
  legacy: boolean;
}

/** Both slot files of a key as read: the whole version with the highest number, and the first damaged file if any. */
interface Slots {
  current?: { version: number; slot: 0 | 1; text: string };
  damaged?: string;
  any: boolean;
}

/** What a read of a key's files found: the file the record came from (or would have), its text, and a damaged slot. */
export interface FoundRecord {
  file: string;
  text?: string;
  damaged?: string;
  /** The slot the text came from; absent when it came from an earlier-layout file, or nothing was found. */
  current?: { version: number; slot: 0 | 1 };
}

async function readSlots(base: string): Promise<Slots> {
  const contents = await Promise.all(SLOT_SUFFIXES.map((suffix) => readIfThere(`${base}${suffix}`)));
  let current: Slots['current'];
  let damaged: string | undefined;
  contents.forEach((data, slot) => {
    if (data === undefined) return;
    const decoded = decodeSlot(data);
    if (!decoded) damaged ??= `${base}${SLOT_SUFFIXES[slot]}`;
    else if (!current || decoded.version > current.version) current = { ...decoded, slot: slot as 0 | 1 };
  });
  return { current, damaged, any: contents.some((data) => data !== undefined) };
}

/** The record text of the key whose files start with `base`: the newest whole slot, else an earlier-layout file. */
export async function readCurrent(base: string): Promise<FoundRecord> {
  let slots = await readSlots(base);
  // A crash leaves at most one slot torn, since a write starts only after the one before it
  // ended. Both failing at once means a writer this read does not wait for (another process
  // reading along, or this one outside the key's lock) went through two writes while the
  // files were read: read again before calling the record damaged.
  for (let wait = 1; !slots.current && slots.damaged !== undefined && wait <= TORN_READ_WAIT_MS; wait *= 4) {
    await delay(wait);
    slots = await readSlots(base);
  }
  const { current, damaged } = slots;
  const file = current ? `${base}${SLOT_SUFFIXES[current.slot]}` : `${base}${LEGACY_SUFFIX}`;
  const text = current?.text ?? (await readIfThere(file))?.toString('utf8');
  return {
    file,
    ...(text !== undefined ? { text } : {}),
    ...(damaged !== undefined ? { damaged } : {}),
    ...(current ? { current: { version: current.version, slot: current.slot } } : {}),
  };
}

/** Where a key's current record is on disk (for a write that has not seen it read). */
export async function findSlots(base: string): Promise<SlotState | undefined> {
  const found = await readSlots(base);
  if (found.current) return { version: found.current.version, slot: found.current.slot, legacy: await exists(`${base}${LEGACY_SUFFIX}`) };
  // No whole slot (or none at all): start over at slot a, and clear out a record of the earlier layout.
  return (await exists(`${base}${LEGACY_SUFFIX}`)) ? { version: 0, slot: 1, legacy: true } : found.any ? { version: 0, slot: 1, legacy: false } : undefined;
}

/** A file's bytes, or undefined when there is no such file. */
async function readIfThere(file: string): Promise<Buffer | undefined> {
  try {
    return await readWholeFile(file);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}
