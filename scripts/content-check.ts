/** `npm run content:check`: validates dialogs/ and intents/ and checks every quote against the sources. */
import { checkContent } from '../src/content/check-content';
import { defaultContentRoot } from '../src/content/load-content';
import { ContentError } from '../src/content/yaml';

try {
  const { content, problems } = checkContent(defaultContentRoot());
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exit(1);
  }
  const quotes = [...content.intents.intents.values()].reduce((n, i) => n + i.sources.length, 0);
  process.stdout.write(
    `Indhold OK / content OK: ${Object.keys(content.guide.nodes).length} guide boxes, ${content.intents.intents.size} intents, ${quotes} FAQ quotes found in the sources\n`,
  );
} catch (err) {
  if (err instanceof ContentError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
