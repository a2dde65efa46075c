import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultContentRoot } from '../content/load-content';

export interface IconSpec {
  name: 'color.png' | 'outline.png';
  size: number;
  /** Teams asks for the outline on a transparent background. */
  transparent: boolean;
}

export const ICONS: readonly IconSpec[] = [
  { name: 'color.png', size: 192, transparent: false },
  { name: 'outline.png', size: 32, transparent: true },
];

export type Icons = Record<IconSpec['name'], Buffer>;

/** The icons used when teams/app.yaml names none, kept as files beside it. */
export function defaultIconFile(name: IconSpec['name']): string {
  return path.join(defaultContentRoot(), 'teams', 'icons', name);
}

/**
 * The colour teams/icons/color.png has behind its "M". A PNG cannot be recoloured without
 * decoding it, so another accentColor gets a note instead of a matching icon.
 */
export const DEFAULT_ICON_ACCENT = '#0050B4';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Size from a PNG's IHDR and whether it can be transparent; the pixels are never read. */
export function readPngHeader(data: Buffer): { width: number; height: number; transparent: boolean } {
  if (data.length < 33 || !data.subarray(0, 8).equals(PNG_SIGNATURE) || data.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('ikke en PNG-fil / not a PNG file');
  }
  // Colour types 4 and 6 carry alpha; the others are transparent only through a tRNS chunk,
  // which PNG puts before the first IDAT.
  let transparent = data[25] === 4 || data[25] === 6;
  for (let at = 8; !transparent && at + 8 <= data.length; at += 12 + data.readUInt32BE(at)) {
    const type = data.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT' || type === 'IEND') break;
    transparent = type === 'tRNS';
  }
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), transparent };
}

/** What is wrong with an icon (no PNG, the wrong size, an outline that cannot be transparent), or undefined. */
export function iconProblem(spec: IconSpec, data: Buffer, source: string): string | undefined {
  let info;
  try {
    info = readPngHeader(data);
  } catch (err) {
    return `${spec.name} (${source}): ${(err as Error).message}`;
  }
  if (info.width !== spec.size || info.height !== spec.size) {
    return `${spec.name} (${source}): er ${info.width}×${info.height}, skal være ${spec.size}×${spec.size} pixels / is ${info.width}×${info.height}, must be ${spec.size}×${spec.size} pixels`;
  }
  if (spec.transparent && !info.transparent) {
    return `${spec.name} (${source}): skal have gennemsigtig baggrund (PNG med alfakanal) / must have a transparent background (PNG with alpha)`;
  }
  return undefined;
}

/** Both icons (teams/app.yaml's own, relative to it, else the shipped ones), each checked; every problem is added to `problems`. */
export function loadIcons(own: { color?: string; outline?: string } | undefined, contentFile: string, problems: string[]): Icons | undefined {
  const icons: Partial<Icons> = {};
  for (const spec of ICONS) {
    const named = spec.name === 'color.png' ? own?.color : own?.outline;
    const source = named ? path.resolve(path.dirname(contentFile), named) : defaultIconFile(spec.name);
    if (!existsSync(source)) {
      problems.push(`${contentFile}: icons: ${source} findes ikke / does not exist`);
      continue;
    }
    const data = readFileSync(source);
    const problem = iconProblem(spec, data, source);
    if (problem) problems.push(problem);
    else icons[spec.name] = data;
  }
  return icons['color.png'] && icons['outline.png'] ? (icons as Icons) : undefined;
}
