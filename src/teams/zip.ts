import { zipSync, type ZipOptions, type Zippable } from 'fflate';

export interface ZipEntry {
  /** Path inside the archive, with `/` between folders. */
  name: string;
  data: Buffer;
}

// One time stamp for every entry, so the same files give the same bytes and a rebuilt package
// can be compared with the one that was uploaded. Zip keeps local time and fflate reads the
// Date's local fields, so local midnight is 1980-01-01 00:00 (the first moment zip can hold)
// in every time zone.
const FIXED_MTIME = new Date(1980, 0, 1);

// A PNG is deflated already; deflating it again gains nothing, so it is stored as it is.
function optionsFor(name: string): ZipOptions {
  return { level: name.endsWith('.png') ? 0 : 9, mtime: FIXED_MTIME };
}

/** A zip archive of `entries` in their order; the same entries always give the same bytes. */
export function createZip(entries: readonly ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const { name, data } of entries) {
    // The archive is keyed by name, so a second entry would silently replace the first.
    if (Object.hasOwn(files, name)) throw new Error(`${name} is in the zip twice`);
    files[name] = [data, optionsFor(name)];
  }
  const zip = zipSync(files);
  return Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
}
