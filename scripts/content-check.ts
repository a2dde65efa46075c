/**
 * `npm run content:check [root]`: every content rule, as at start-up, and the held-out set; one
 * `file: path: message` line per problem. `root` (a folder with dialogs/, intents/ and
 * test/eval/) defaults to this checkout's, so an editor can check a copy before it is shipped.
 */
import path from 'node:path';
import { checkContent } from '../src/content/check-content';
import { defaultContentRoot } from '../src/content/load-content';
import { formatProblem, type Problem } from '../src/content/validate-content';
import { ContentError } from '../src/content/yaml';

const root = process.argv[2] ? path.resolve(process.argv[2]) : defaultContentRoot();

/** Schema problems carry the file's absolute path; the rules' are relative to the root already. */
function print(problems: readonly Problem[]): void {
  const lines = problems.map((p) => formatProblem({ ...p, file: path.isAbsolute(p.file) ? path.relative(root, p.file) : p.file }));
  process.stderr.write(`${lines.join('\n')}\n`);
}

try {
  const { content, problems } = checkContent(root);
  if (problems.length > 0) {
    print(problems);
    process.exit(1);
  }
  const messages = Object.keys(content.messages).length + Object.keys(content.handoff.citizen).length + Object.keys(content.handoff.agent).length;
  process.stdout.write(`content OK: ${content.intents.intents.size} intents, ${Object.keys(content.guide.nodes).length} guide boxes, ${messages} messages checked\n`);
} catch (err) {
  if (!(err instanceof ContentError)) throw err;
  if (err.problems.length > 0) print(err.problems);
  else process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
