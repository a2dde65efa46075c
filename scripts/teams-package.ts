/**
 * `npm run teams:package [-- --out FILE] [-- --content FILE]`: writes the Microsoft Teams
 * app package (appPackage.zip by default) from MicrosoftAppId, PUBLIC_URL and
 * TEAMS_VALID_DOMAINS (environment or .env) and teams/app.yaml. The bot's secret is not needed:
 * it is no part of the package. When anything is not right it names every problem, one line
 * each, exits 1 and writes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config';
import { AppPackageError, buildAppPackage, MANIFEST_VERSION, readPackageConfig } from '../src/teams/app-package';

/** A path inside the working folder is shown relative to it, others in full. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'appPackage.zip' },
      content: { type: 'string' },
    },
  });
  const out = path.resolve(values.out);
  try {
    const { config, problems } = readPackageConfig(readEnvironment());
    const built = await buildAppPackage({ config, settingProblems: problems, contentFile: values.content && path.resolve(values.content) });
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, built.zip);
    process.stdout.write(
      `Skrev / wrote ${shown(out)}: ${built.files.map((f) => f.name).join(', ')} ` +
        `(manifest ${MANIFEST_VERSION}, app ${built.manifest.version}, bot ${built.manifest.id}, domains ${built.manifest.validDomains?.join(', ')})\n`,
    );
    for (const note of built.notes) process.stderr.write(`Bemærk / note: ${note}\n`);
  } catch (err) {
    if (err instanceof AppPackageError) {
      process.stderr.write(`${err.problems.join('\n')}\n`);
      process.exit(1);
    }
    throw err;
  }
}

void run();
