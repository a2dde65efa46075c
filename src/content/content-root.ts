import { existsSync } from 'node:fs';
import path from 'node:path';
import { ContentError } from './yaml';

/** The folder holding `dialogs/` and `intents/`, found from this file whether run from src or dist. */
export function defaultContentRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'dialogs', 'guide.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new ContentError('Fandt ikke dialogs/guide.yaml / could not find dialogs/guide.yaml');
    dir = parent;
  }
  return dir;
}
