import { crc32 } from 'node:zlib';

/**
 * One version of a record in one of a key's two slot files (see FileStorage): a header line
 * `MITID-SLOT 1 <version> <bytes> <crc32>` and the record's JSON. A slot is written in place, so
 * bytes of an older, longer version may follow; the header says where this one ends, and the
 * checksum tells a whole version from one a crash cut short.
 */
export interface SlotVersion {
  /** Counts the key's writes: the slot with the higher version holds the current record. */
  version: number;
  text: string;
}

const MAGIC = 'MITID-SLOT 1';
/** Longer than any header this module writes; a file without a newline by then is not a slot. */
const MAX_HEADER = 80;

export function encodeSlot(version: number, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.from(`${MAGIC} ${version} ${payload.length} ${crc32(payload).toString(16)}\n`, 'latin1');
  return Buffer.concat([header, payload]);
}

/** The version a slot file holds, or undefined when it holds none whole. */
export function decodeSlot(data: Buffer): SlotVersion | undefined {
  const newline = data.subarray(0, MAX_HEADER).indexOf(0x0a);
  if (newline < 0) return undefined;
  const fields = data.toString('latin1', 0, newline).split(' ');
  if (fields.length !== 5 || `${fields[0]} ${fields[1]}` !== MAGIC) return undefined;
  const version = Number(fields[2]);
  const length = Number(fields[3]);
  if (!Number.isSafeInteger(version) || version < 1 || !Number.isSafeInteger(length) || length < 0) return undefined;
  const payload = data.subarray(newline + 1, newline + 1 + length);
  if (payload.length !== length || crc32(payload).toString(16) !== fields[4]) return undefined;
  return { version, text: payload.toString('utf8') };
}
