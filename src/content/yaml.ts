import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** Thrown when a content file is missing or wrong; the message names file and place. */
export class ContentError extends Error {
  override name = 'ContentError';
}

/** Reads one YAML file and validates it; errors name the file and the path inside it. */
export function loadYaml<S extends z.ZodType>(file: string, schema: S): { data: z.output<S>; raw: string } {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ContentError(`${file}: kan ikke læses / cannot be read (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch (err) {
    throw new ContentError(`${file}: ugyldig YAML / invalid YAML: ${(err as Error).message}`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new ContentError(`${file}:\n${lines.join('\n')}`);
  }
  return { data: result.data, raw };
}
