import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import yamlPackage from 'yaml/package.json';
import type { z } from 'zod';
import { at, type Problem } from './rules/problem';

/**
 * Parsed YAML kept as JSON by `npm run build` (scripts/build-caches.ts): parsing the content with
 * the yaml library took about 0.15 s of every start-up, reading JSON a few milliseconds. A file is
 * named by the hash of the exact YAML text and the yaml version, so an edited file is simply
 * parsed again. From the compiled server this is dist/cache; from src/ under tsx it names a
 * folder that does not exist, and everything is parsed.
 */
export const PARSED_YAML_DIR = path.join(__dirname, '..', '..', 'cache');

function parsedYamlFile(raw: string, directory: string): string {
  const key = createHash('sha256').update(`yaml ${yamlPackage.version}\n`).update(raw).digest('hex');
  return path.join(directory, `yaml-${key.slice(0, 40)}.json`);
}

/** The parse `npm run build` kept for exactly this YAML text, if any. */
export function readParsed(raw: string, directory: string): unknown {
  try {
    return JSON.parse(readFileSync(parsedYamlFile(raw, directory), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the parse of `raw` for the next start-up, when JSON holds it exactly (YAML can say things
 * JSON cannot, such as `.inf`; those files are left to be parsed every time).
 */
export function keepParsed(raw: string, parsed: unknown, directory = PARSED_YAML_DIR): boolean {
  const json = JSON.stringify(parsed);
  if (json === undefined || !isDeepStrictEqual(JSON.parse(json), parsed)) return false;
  mkdirSync(directory, { recursive: true });
  const file = parsedYamlFile(raw, directory);
  writeFileSync(`${file}.tmp`, json);
  renameSync(`${file}.tmp`, file);
  return true;
}

/** Thrown when a content file is missing or wrong; the message names file and place. */
export class ContentError extends Error {
  override name = 'ContentError';

  /** Each problem on its own, for tools that list them (npm run content:check); may be empty. */
  constructor(
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

/** Set by the build to learn every YAML text parsed and its result. */
let parsedYaml: ((raw: string, parsed: unknown) => void) | undefined;
export function onYamlParsed(listener: ((raw: string, parsed: unknown) => void) | undefined): void {
  parsedYaml = listener;
}

/** Reads one YAML file and validates it; errors name the file and the path inside it. */
export function loadYaml<S extends z.ZodType>(file: string, schema: S): { data: z.output<S>; raw: string } {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    const message = `kan ikke læses / cannot be read (${(err as Error).message})`;
    throw new ContentError(`${file}: ${message}`, [at(file, [], message)]);
  }
  let parsed: unknown = readParsed(raw, PARSED_YAML_DIR);
  if (parsed === undefined) {
    try {
      parsed = parseYaml(raw);
    } catch (err) {
      const message = `ugyldig YAML / invalid YAML: ${(err as Error).message}`;
      throw new ContentError(`${file}: ${message}`, [at(file, [], message)]);
    }
    parsedYaml?.(raw, parsed);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => at(file, i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), i.message));
    throw new ContentError(`${file}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`, problems);
  }
  return { data: result.data, raw };
}
