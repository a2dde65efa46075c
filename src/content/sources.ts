import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sourceFiles, type SourceFile } from './intents-content';

/** The published texts every fact is drawn from (intents/sources/), whitespace collapsed, by file name. */
export type ContentSources = ReadonlyMap<SourceFile, string>;

/** Quotes are compared with line breaks and runs of spaces as one space: YAML folds lines its own way. */
export function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function readSources(root: string): ContentSources {
  return new Map(sourceFiles.map((file) => [file, collapseSpace(readFileSync(path.join(root, 'intents', 'sources', file), 'utf8'))]));
}
