import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync, inflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ConfigError, parseConfig } from '../src/config';
import { ContentError } from '../src/content/yaml';
import {
  AppPackageError,
  buildAppPackage,
  defaultTeamsContentFile,
  MANIFEST_SCHEMA_URL,
  validateManifest,
  type AppPackage,
  type TeamsAppContent,
  type TeamsManifest,
} from '../src/teams/app-package';
import { chunk, encodePng, readPngInfo } from '../src/teams/png';
import { crc32 } from '../src/teams/zip';
import { readZip } from './helpers/zip-reader';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '..');
const APP_ID = '6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const testEnv = {
  MicrosoftAppId: APP_ID,
  MicrosoftAppPassword: 'hemmeligt-til-test',
  PUBLIC_URL: 'https://bot.kommune.dk',
  TEAMS_VALID_DOMAINS: 'mitid.dk',
};
const config = parseConfig(testEnv);

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

/** Pixels of a PNG written by our encoder: 8-bit RGBA, one IDAT, filter 0 on every row. */
function decodeOwnPng(png: Buffer): { width: number; height: number; rgba: Buffer } {
  const { width, height, colourType } = readPngInfo(png);
  expect(colourType).toBe(6);
  const length = png.readUInt32BE(33);
  expect(png.toString('latin1', 37, 41)).toBe('IDAT');
  const raw = inflateSync(png.subarray(41, 41 + length));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

/** A valid RGB PNG (no alpha at all), to be refused as an outline icon. */
function rgbPng(size: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  const rows = Buffer.alloc((size * 3 + 1) * size, 255);
  for (let y = 0; y < size; y++) rows[y * (size * 3 + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
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

  beforeAll(async () => {
    const out = path.join(dir, 'out', 'appPackage.zip');
    const run = await runPackageScript(testEnv, ['--out', out]);
    expect(run.stderr).not.toMatch(/ugyldig|invalid/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('manifest.json, color.png, outline.png');
    const entries = readZip(readFileSync(out));
    files = new Map(entries.map((e) => [e.name, e.data]));
    manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as TeamsManifest;
    built = await buildAppPackage({ config });
  });

  it('writes the zip with manifest.json, color.png and outline.png at its root, and nothing else', () => {
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('gives the same bytes for the same input, so a package can be rebuilt and compared', () => {
    const fromScript = [...files.values()];
    expect(built.files.map((f) => f.data)).toEqual(fromScript);
    const entries = readZip(built.zip);
    expect(entries.map((e) => e.data)).toEqual(fromScript);
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
    const commands = [
      { title: 'guide', description: 'Start guiden Sådan får du MitID' },
      { title: 'spørgsmål', description: 'Stil et spørgsmål om MitID eller NemID' },
      { title: 'hjælp', description: 'Se hvad botten kan' },
    ];
    expect(bot?.commandLists).toEqual([
      { scopes: ['personal'], commands },
      { scopes: ['team'], commands },
      { scopes: ['groupChat'], commands },
    ]);
  });

  it('declares the search message extension the bot answers (searchAnswers, parameter query)', () => {
    expect(manifest.composeExtensions).toHaveLength(1);
    const extension = manifest.composeExtensions![0]!;
    expect(extension.botId).toBe(APP_ID);
    expect(extension.commands).toHaveLength(1);
    expect(extension.commands![0]).toMatchObject({
      id: 'searchAnswers',
      type: 'query',
      title: 'Søg i MitID-svar',
      initialRun: false,
      parameters: [{ name: 'query', title: 'Søgeord', description: 'fx kodeviser' }],
    });
  });

  it('lists PUBLIC_URL\'s host and TEAMS_VALID_DOMAINS as valid domains, each once', async () => {
    expect(manifest.validDomains).toEqual(['bot.kommune.dk', 'mitid.dk']);
    const twice = parseConfig({ ...testEnv, PUBLIC_URL: 'https://Bot.Kommune.dk/mitid', TEAMS_VALID_DOMAINS: 'mitid.dk, bot.kommune.dk,*.kommune.dk' });
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
    const color = readPngInfo(files.get('color.png')!);
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = readPngInfo(files.get('outline.png')!);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.transparent).toBe(true);

    const { rgba: colorPixels } = decodeOwnPng(files.get('color.png')!);
    const colours = new Set<string>();
    for (let i = 0; i < colorPixels.length; i += 4) {
      expect(colorPixels[i + 3]).toBe(255);
      colours.add(colorPixels.toString('hex', i, i + 3));
    }
    expect(colours).toContain('0050b4');
    expect(colours).toContain('ffffff');

    const { rgba: outlinePixels } = decodeOwnPng(files.get('outline.png')!);
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
    const message = await attempt.catch((err: Error) => err.message);
    expect(message).toMatch(/^manifest\.json er ugyldig \/ is invalid \(schema 1\.22\):/);
    expect(message).toMatch(/^ {2}\/bots\/0\/botId: must match pattern/m);
    expect(message).toMatch(/^ {2}\/composeExtensions\/0\/commands\/0\/title: must NOT have more than 32 characters/m);
  });

  it('a manifest property the schema does not know', async () => {
    const attempt = buildAppPackage({
      config,
      editManifest: (manifest) => Object.assign(manifest, { botName: 'MitID' }),
    });
    await expect(attempt).rejects.toThrow(/\/: must NOT have additional properties.*"additionalProperty":"botName"/);
  });

  it('an icon of the wrong size, and an outline icon without transparency', async () => {
    writeFileSync(path.join(dir, 'small.png'), encodePng(100, 100, new Uint8Array(100 * 100 * 4).fill(255)));
    writeFileSync(path.join(dir, 'opaque.png'), rgbPng(32));
    const wrongSize = contentFileWith('wrong-size.yaml', (content) => {
      content.icons = { color: 'small.png' };
    });
    await expect(buildAppPackage({ config, contentFile: wrongSize })).rejects.toThrow(
      /^color\.png \(.*small\.png\): er 100×100, skal være 192×192 pixels/,
    );
    const opaque = contentFileWith('opaque.yaml', (content) => {
      content.icons = { outline: 'opaque.png' };
    });
    await expect(buildAppPackage({ config, contentFile: opaque })).rejects.toThrow(/^outline\.png .*gennemsigtig baggrund/);
  });

  it('texts over Teams\' limits in teams/app.yaml, naming file and key', async () => {
    const tooLong = contentFileWith('too-long.yaml', (content) => {
      content.name.short = 'MitID-hjælperen for Borgerservice';
    });
    const attempt = buildAppPackage({ config, contentFile: tooLong });
    await expect(attempt).rejects.toThrow(ContentError);
    await expect(attempt).rejects.toThrow(/too-long\.yaml:\n {2}name\.short: højst 30 tegn/);
  });

  it('a missing MicrosoftAppId, with the configuration\'s one-line message', async () => {
    const noAppId = parseConfig({ PUBLIC_URL: 'https://bot.kommune.dk' });
    const attempt = buildAppPackage({ config: noAppId });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/^Ugyldig konfiguration \/ invalid configuration: MicrosoftAppId: mangler[^\n]*$/);
  });

  it('a PUBLIC_URL that is missing or not https', async () => {
    await expect(buildAppPackage({ config: parseConfig({ ...testEnv, PUBLIC_URL: '' }) })).rejects.toThrow(/PUBLIC_URL: mangler/);
    await expect(buildAppPackage({ config: parseConfig({ ...testEnv, PUBLIC_URL: 'http://bot.kommune.dk' }) })).rejects.toThrow(
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
  it('CRC-32 gives the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('1234'), Buffer.from('56789'))).toBe(0xcbf43926);
  });

  it('reads size and transparency from a PNG header and refuses other files', () => {
    expect(readPngInfo(encodePng(3, 2, new Uint8Array(24)))).toEqual({ width: 3, height: 2, colourType: 6, transparent: true });
    expect(readPngInfo(rgbPng(4))).toEqual({ width: 4, height: 4, colourType: 2, transparent: false });
    expect(() => readPngInfo(Buffer.from('GIF89a and more bytes to be long enough'))).toThrow(/not a PNG/);
  });
});
