import path from 'node:path';
import { readContent, type Content } from './load-content';
import { readSources } from './sources';
import { heldoutSchema, validateContent, type Problem } from './validate-content';
import { loadYaml } from './yaml';

export { heldoutSchema };

/**
 * What `npm run content:check` verifies: everything start-up does, and the held-out test set
 * (test/eval/heldout.yaml) against the content. Returns the problems (empty when all is well);
 * throws ContentError when a file does not parse or fails its schema.
 */
export function checkContent(root: string): { content: Content; problems: Problem[] } {
  const content = readContent(root);
  const heldout = loadYaml(path.join(root, 'test', 'eval', 'heldout.yaml'), heldoutSchema).data.utterances;
  return { content, problems: validateContent(content, readSources(root), { heldout }) };
}
