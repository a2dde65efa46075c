import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseConfig } from '../src/config';
import { botCommands } from '../src/content/commands';
import { readContent } from '../src/content/load-content';
import { loadYaml } from '../src/content/yaml';
import {
  AppPackageError,
  buildAppPackage,
  DEFAULT_ICON_ACCENT,
  defaultIconFile,
  defaultTeamsContentFile,
  MANIFEST_SCHEMA_URL,
  readPackageConfig,
  readPngHeader,
  teamsAppSchema,
  validateManifest,
  type AppPackage,
  type TeamsAppContent,
  type TeamsManifest,
} from '../src/teams/app-package';
import { createZip } from '../src/teams/zip';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '..');
const APP_ID = '6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5';
// All the package reads: no secret, no tenant (neither is part of the package).
const testEnv = {
  MicrosoftAppId: APP_ID,
  PUBLIC_URL: 'https://bot.kommune.dk',
  TEAMS_VALID_DOMAINS: 'mitid.dk',
};
/** The package's settings from `env`, read as `npm run teams:package` reads them. */
const settingsOf = (env: Record<string, string>) => readPackageConfig(env).config;
const config = settingsOf(testEnv);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'teams-package-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllGlobals());

/** `npm run teams:package` as a person runs it, with only `env` as configuration and `cwd` holding no .env. */
async function runPackageScript(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  try {
    const { stdout, stderr } = await execFileAsync(tsx, [path.join(root, 'scripts', 'teams-package.ts'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A PNG decoded by pngjs, not by the code under test. */
function decoded(png: Buffer): { width: number; height: number; rgba: Buffer } {
  const image = PNG.sync.read(png);
  return { width: image.width, height: image.height, rgba: image.data };
}

/** The zip's entries in archive order, read by fflate rather than by the code that wrote them. */
function unzipped(zip: Buffer): Map<string, Buffer> {
  return new Map(Object.entries(unzipSync(zip)).map(([name, data]) => [name, Buffer.from(data)]));
}

/** A 32×32 RGB PNG (no alpha, no tRNS), to be refused as an outline icon. */
const OPAQUE_PNG = path.join(__dirname, 'fixtures', 'opaque-32.png');

/** teams/app.yaml as shipped, read as the package reads it. */
function shipped(): TeamsAppContent {
  return loadYaml(defaultTeamsContentFile(), teamsAppSchema).data;
}

/** teams/app.yaml as shipped, changed by `edit`, written next to the test's files. */
function contentFileWith(name: string, edit: (content: TeamsAppContent) => void): string {
  const content = parseYaml(readFileSync(defaultTeamsContentFile(), 'utf8')) as TeamsAppContent;
  edit(content);
  const file = path.join(dir, name);
  writeFileSync(file, stringifyYaml(content));
  return file;
}

describe('Teams app package (npm run teams:package)', () => {
  let built: AppPackage;
  let files: Map<string, Buffer>;
  let manifest: TeamsManifest;
  let zipFromScript: Buffer;

  beforeAll(async () => {
    const out = path.join(dir, 'out', 'appPackage.zip');
    const run = await runPackageScript(testEnv, ['--out', out]);
    expect(run.stderr).not.toMatch(/ugyldig|invalid/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('manifest.json, color.png, outline.png');
    zipFromScript = readFileSync(out);
    files = unzipped(zipFromScript);
    manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as TeamsManifest;
    built = await buildAppPackage({ config });
  });

  it('writes the zip with manifest.json, color.png and outline.png at its root, and nothing else', () => {
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('packs the shipped icons from teams/icons/ unchanged', () => {
    expect(files.get('color.png')).toEqual(readFileSync(defaultIconFile('color.png')));
    expect(files.get('outline.png')).toEqual(readFileSync(defaultIconFile('outline.png')));
    expect(files.get('manifest.json')).toEqual(built.files[0]!.data);
  });

  it('gives the same bytes for the same input at any time, so a package can be rebuilt and compared', async () => {
    // Entry times come from the clock unless fixed, so build on two different days.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2024-03-05T14:07:09Z'));
      const first = await buildAppPackage({ config });
      vi.setSystemTime(new Date('2031-11-23T03:41:58Z'));
      const second = await buildAppPackage({ config });
      expect(second.zip.equals(first.zip)).toBe(true);
      expect(first.zip.equals(zipFromScript)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the manifest validates against the bundled schema without touching the network', async () => {
    const fetch = vi.fn(() => {
      throw new Error('no network in this test');
    });
    vi.stubGlobal('fetch', fetch);
    expect(manifest.$schema).toBe(MANIFEST_SCHEMA_URL);
    expect(manifest.manifestVersion).toBe('1.22');
    expect(await validateManifest(manifest)).toEqual([]);
    await buildAppPackage({ config });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('carries the bot id, the three scopes and a command list for each scope', () => {
    expect(manifest.id).toBe(APP_ID);
    const [bot, ...more] = manifest.bots ?? [];
    expect(more).toEqual([]);
    expect(bot?.botId).toBe(APP_ID);
    expect(bot?.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot?.supportsFiles).toBe(false);
    const { commands } = shipped();
    expect(commands.length).toBeGreaterThan(0);
    expect(bot?.commandLists).toEqual([
      { scopes: ['personal'], commands },
      { scopes: ['team'], commands },
      { scopes: ['groupChat'], commands },
    ]);
  });

  it('lists only commands the bot reads as its own: Teams sends the chosen title as the message', () => {
    const commands = botCommands(readContent().phrases);
    expect(shipped().commands.map((c) => commands.match(c.title)?.key)).toEqual(['start_guide', 'ask', 'help']);
  });

  it('declares the search message extension the bot answers (searchAnswers, parameter query)', () => {
    expect(manifest.composeExtensions).toHaveLength(1);
    const extension = manifest.composeExtensions![0]!;
    expect(extension.botId).toBe(APP_ID);
    expect(extension.commands).toHaveLength(1);
    expect(extension.commands![0]).toMatchObject({
      id: 'searchAnswers',
      type: 'query',
      title: shipped().search.title,
      description: shipped().search.description,
      initialRun: false,
      parameters: [{ name: 'query', ...shipped().search.parameter }],
    });
  });

  it('lists PUBLIC_URL\'s host and TEAMS_VALID_DOMAINS as valid domains, each once', async () => {
    expect(manifest.validDomains).toEqual(['bot.kommune.dk', 'mitid.dk']);
    const twice = settingsOf({ ...testEnv, PUBLIC_URL: 'https://Bot.Kommune.dk/mitid', TEAMS_VALID_DOMAINS: 'mitid.dk, bot.kommune.dk,*.kommune.dk' });
    const again = await buildAppPackage({ config: twice });
    expect(again.manifest.validDomains).toEqual(['bot.kommune.dk', 'mitid.dk', '*.kommune.dk']);
  });

  it('has Danish texts from teams/app.yaml within Teams\' limits and https developer pages on PUBLIC_URL', () => {
    expect(manifest.name.short).toBe('MitID-hjælperen');
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full).toMatch(/NemID til MitID/);
    expect(manifest.accentColor).toMatch(/^#[0-9A-F]{6}$/);
    expect(manifest.developer).toMatchObject({
      websiteUrl: 'https://bot.kommune.dk/',
      privacyUrl: 'https://bot.kommune.dk/',
      termsOfUseUrl: 'https://bot.kommune.dk/',
    });
    expect(built.notes).toEqual([expect.stringContaining('developer.privacyUrl'), expect.stringContaining('developer.termsOfUseUrl')]);
  });

  it('uses the municipality\'s own developer pages from the content file, and then has nothing to remind of', async () => {
    const contentFile = contentFileWith('own-pages.yaml', (content) => {
      content.developer = {
        name: 'Aarhus Kommune',
        websiteUrl: 'https://www.aarhus.dk/mitid',
        privacyUrl: 'https://www.aarhus.dk/privatliv',
        termsOfUseUrl: 'https://www.aarhus.dk/vilkaar',
      };
    });
    const own = await buildAppPackage({ config, contentFile });
    expect(own.manifest.developer).toEqual({
      name: 'Aarhus Kommune',
      websiteUrl: 'https://www.aarhus.dk/mitid',
      privacyUrl: 'https://www.aarhus.dk/privatliv',
      termsOfUseUrl: 'https://www.aarhus.dk/vilkaar',
    });
    expect(own.notes).toEqual([]);
  });

  it('has a 192×192 full-colour icon and a 32×32 outline icon, white on transparent', () => {
    const color = decoded(files.get('color.png')!);
    const outline = decoded(files.get('outline.png')!);
    expect(color).toMatchObject({ width: 192, height: 192 });
    expect(outline).toMatchObject({ width: 32, height: 32 });

    const colorPixels = color.rgba;
    const colours = new Set<string>();
    for (let i = 0; i < colorPixels.length; i += 4) {
      expect(colorPixels[i + 3]).toBe(255);
      colours.add(colorPixels.toString('hex', i, i + 3));
    }
    expect(colours).toContain(DEFAULT_ICON_ACCENT.slice(1).toLowerCase());
    expect(colours).toContain('ffffff');

    const outlinePixels = outline.rgba;
    let clear = 0;
    let solid = 0;
    for (let i = 0; i < outlinePixels.length; i += 4) {
      expect(outlinePixels.toString('hex', i, i + 3)).toBe('ffffff');
      if (outlinePixels[i + 3] === 0) clear++;
      if (outlinePixels[i + 3] === 255) solid++;
    }
    expect(clear).toBeGreaterThan(300);
    expect(solid).toBeGreaterThan(100);
  });

  it('the shipped colour icon is drawn on the shipped accent colour', () => {
    expect(manifest.accentColor).toBe(DEFAULT_ICON_ACCENT);
  });

  it('packs the icons teams/app.yaml names instead, and reminds when the shipped one has another colour', async () => {
    const ownColor = path.join(dir, 'own-color.png');
    writeFileSync(ownColor, readFileSync(defaultIconFile('color.png')));
    const red = contentFileWith('red.yaml', (content) => {
      content.accentColor = '#AA0000';
    });
    const reminded = await buildAppPackage({ config, contentFile: red });
    expect(reminded.notes).toContainEqual(expect.stringMatching(/^color\.png is the shipped icon, drawn on #0050B4, not on accentColor #AA0000/));

    const redWithIcon = contentFileWith('red-own-icon.yaml', (content) => {
      content.accentColor = '#AA0000';
      content.icons = { color: 'own-color.png', outline: path.relative(dir, defaultIconFile('outline.png')) };
    });
    const own = await buildAppPackage({ config, contentFile: redWithIcon });
    expect(own.notes.filter((note) => note.startsWith('color.png'))).toEqual([]);
    expect([...unzipped(own.zip).keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    expect(unzipped(own.zip).get('color.png')).toEqual(readFileSync(ownColor));
  });
});

describe('what packaging needs', () => {
  it('npm run teams:package needs only MicrosoftAppId and PUBLIC_URL: no secret, no tenant, nothing else the server needs', async () => {
    const out = path.join(dir, 'two-settings', 'appPackage.zip');
    // PORT is wrong for the server, and MicrosoftAppId without a password would stop it; neither matters here.
    const run = await runPackageScript({ MicrosoftAppId: APP_ID, PUBLIC_URL: 'https://bot.kommune.dk', PORT: 'not-a-port' }, ['--out', out]);
    expect(run.stderr).not.toMatch(/ugyldig|invalid|MicrosoftAppPassword/i);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(unzipped(readFileSync(out)).get('manifest.json')!.toString('utf8')) as TeamsManifest;
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots![0]!.botId).toBe(APP_ID);
    expect(manifest.validDomains).toEqual(['bot.kommune.dk']);
    expect(JSON.stringify(manifest)).not.toMatch(/password|secret/i);
  });

  it('a server\'s whole configuration builds the same package', async () => {
    const server = parseConfig({ ...testEnv, MicrosoftAppPassword: 'hemmeligt-til-test', MicrosoftAppTenantId: '99999999-8888-7777-6666-555555555555' });
    const fromServer = await buildAppPackage({ config: server });
    const fromSettings = await buildAppPackage({ config });
    expect(fromServer.zip.equals(fromSettings.zip)).toBe(true);
  });
});

describe('every problem in one run', () => {
  it('npm run teams:package names each wrong setting and each wrong text on its own line, in Danish and English, and writes nothing', async () => {
    const contentFile = contentFileWith('many-problems.yaml', (content) => {
      content.name.short = 'MitID-hjælperen for Borgerservice';
      content.accentColor = 'blå';
      Object.assign(content.search, { hint: 'ukendt' });
    });
    const out = path.join(dir, 'many', 'appPackage.zip');
    const env = { MicrosoftAppId: 'ikke-et-guid', PUBLIC_URL: 'http://bot.kommune.dk', TEAMS_VALID_DOMAINS: 'ikke et domæne' };
    const run = await runPackageScript(env, ['--out', out, '--content', contentFile]);
    expect(run.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Ugyldig konfiguration \/ invalid configuration: MicrosoftAppId: skal være et GUID \/ must be a GUID$/),
      expect.stringMatching(/^Ugyldig konfiguration \/ invalid configuration: PUBLIC_URL: skal være https til Teams-appen \/ must be https for the Teams app$/),
      expect.stringMatching(/^Ugyldig konfiguration \/ invalid configuration: TEAMS_VALID_DOMAINS: skal være domæner .* \/ must be comma-separated domains/),
      expect.stringMatching(/many-problems\.yaml: name\.short: højst 30 tegn \/ at most 30 characters$/),
      expect.stringMatching(/many-problems\.yaml: accentColor: skal være en farve som #0050B4 \/ must be a colour like #0050B4$/),
      expect.stringMatching(/many-problems\.yaml: search: ukendt nøgle \/ unknown key: hint$/),
    ]);
  });

  it('a missing app id, a manifest the schema refuses and a wrong icon come in one error', async () => {
    const wrongIcon = contentFileWith('wrong-icon.yaml', (content) => {
      content.icons = { color: defaultIconFile('outline.png') };
    });
    const attempt = buildAppPackage({
      config: settingsOf({ PUBLIC_URL: 'https://bot.kommune.dk' }),
      contentFile: wrongIcon,
      editManifest: (manifest) => Object.assign(manifest, { botName: 'MitID' }),
    });
    const problems = await attempt.then(
      () => [],
      (err: AppPackageError) => err.problems,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^Ugyldig konfiguration \/ invalid configuration: MicrosoftAppId: mangler/),
      expect.stringMatching(/^manifest\.json er ugyldig \/ is invalid \(schema 1\.22\): \/: must NOT have additional properties.*botName/),
      expect.stringMatching(/^color\.png \(.*outline\.png\): er 32×32, skal være 192×192 pixels \/ is 32×32/),
    ]);
  });
});

describe('the package build refuses what Teams would refuse', () => {
  it('an invalid manifest, naming the schema path and the problem', async () => {
    const attempt = buildAppPackage({
      config,
      editManifest: (manifest) => {
        manifest.bots![0]!.botId = 'ikke-et-guid';
        manifest.composeExtensions![0]!.commands![0]!.title = 'Søg i alle svar om MitID og NemID her';
      },
    });
    await expect(attempt).rejects.toThrow(AppPackageError);
    const problems = await attempt.catch((err: AppPackageError) => err.problems);
    expect(problems).toEqual([
      expect.stringMatching(/^manifest\.json er ugyldig \/ is invalid \(schema 1\.22\): \/bots\/0\/botId: must match pattern/),
      expect.stringMatching(/^manifest\.json er ugyldig \/ is invalid \(schema 1\.22\): \/composeExtensions\/0\/commands\/0\/title: must NOT have more than 32 characters/),
    ]);
  });

  it('a manifest property the schema does not know', async () => {
    const attempt = buildAppPackage({
      config,
      editManifest: (manifest) => Object.assign(manifest, { botName: 'MitID' }),
    });
    await expect(attempt).rejects.toThrow(/\/: must NOT have additional properties.*"additionalProperty":"botName"/);
  });

  it('an icon of the wrong size, an outline icon without transparency, a file that is no PNG or missing', async () => {
    const wrongSize = contentFileWith('wrong-size.yaml', (content) => {
      content.icons = { color: defaultIconFile('outline.png') };
    });
    await expect(buildAppPackage({ config, contentFile: wrongSize })).rejects.toThrow(
      /^color\.png \(.*outline\.png\): er 32×32, skal være 192×192 pixels/,
    );
    const opaque = contentFileWith('opaque.yaml', (content) => {
      content.icons = { outline: OPAQUE_PNG };
    });
    await expect(buildAppPackage({ config, contentFile: opaque })).rejects.toThrow(/^outline\.png .*gennemsigtig baggrund/);
    writeFileSync(path.join(dir, 'not-a.png'), 'GIF89a and more bytes to be long enough');
    const notPng = contentFileWith('not-png.yaml', (content) => {
      content.icons = { color: 'not-a.png' };
    });
    await expect(buildAppPackage({ config, contentFile: notPng })).rejects.toThrow(/^color\.png \(.*not-a\.png\): .*not a PNG file/);
    const missing = contentFileWith('missing.yaml', (content) => {
      content.icons = { outline: 'nowhere.png' };
    });
    await expect(buildAppPackage({ config, contentFile: missing })).rejects.toThrow(/nowhere\.png findes ikke \/ does not exist/);
  });

  it('texts over Teams\' limits in teams/app.yaml, naming file and key', async () => {
    const tooLong = contentFileWith('too-long.yaml', (content) => {
      content.name.short = 'MitID-hjælperen for Borgerservice';
    });
    const attempt = buildAppPackage({ config, contentFile: tooLong });
    await expect(attempt).rejects.toThrow(AppPackageError);
    await expect(attempt).rejects.toThrow(/^[^\n]*too-long\.yaml: name\.short: højst 30 tegn \/ at most 30 characters$/);
  });

  it('a missing MicrosoftAppId, with the configuration\'s one-line message', async () => {
    const noAppId = settingsOf({ PUBLIC_URL: 'https://bot.kommune.dk' });
    const attempt = buildAppPackage({ config: noAppId });
    await expect(attempt).rejects.toThrow(AppPackageError);
    await expect(attempt).rejects.toThrow(/^Ugyldig konfiguration \/ invalid configuration: MicrosoftAppId: mangler[^\n]*$/);
  });

  it('a PUBLIC_URL that is missing or not https', async () => {
    await expect(buildAppPackage({ config: settingsOf({ ...testEnv, PUBLIC_URL: '' }) })).rejects.toThrow(/PUBLIC_URL: mangler/);
    await expect(buildAppPackage({ config: settingsOf({ ...testEnv, PUBLIC_URL: 'http://bot.kommune.dk' }) })).rejects.toThrow(
      /PUBLIC_URL: skal være https/,
    );
  });

  it('npm run teams:package exits 1 with the message and writes no zip', async () => {
    const out = path.join(dir, 'refused', 'appPackage.zip');
    const run = await runPackageScript({ PUBLIC_URL: 'https://bot.kommune.dk' }, ['--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^Ugyldig konfiguration \/ invalid configuration: MicrosoftAppId: mangler/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});

describe('package helpers', () => {
  it('reads size and transparency from a PNG header and refuses other files', () => {
    expect(readPngHeader(readFileSync(defaultIconFile('color.png')))).toEqual({ width: 192, height: 192, transparent: true });
    expect(readPngHeader(readFileSync(OPAQUE_PNG))).toEqual({ width: 32, height: 32, transparent: false });
    expect(() => readPngHeader(Buffer.from('GIF89a and more bytes to be long enough'))).toThrow(/not a PNG/);
  });

  it('zips entries in their order, unzipped unchanged, and refuses a name given twice', () => {
    const entries = [
      { name: 'b.json', data: Buffer.from('{"a":1}\n'.repeat(50)) },
      { name: 'icons/æ.png', data: readFileSync(OPAQUE_PNG) },
      { name: 'a.txt', data: Buffer.alloc(0) },
    ];
    const files = unzipped(createZip(entries));
    expect([...files.keys()]).toEqual(['b.json', 'icons/æ.png', 'a.txt']);
    expect([...files.values()]).toEqual(entries.map((e) => e.data));
    expect(() => createZip([entries[0]!, entries[0]!])).toThrow(/b\.json is in the zip twice/);
  });
});
