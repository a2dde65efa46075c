/**
 * The Microsoft Teams app package (`npm run teams:package`): manifest.json built from the
 * configuration and teams/app.yaml, validated offline against the manifest's JSON schema
 * as bundled in @microsoft/app-manifest, and two icons whose sizes are checked (teams/icons/
 * unless teams/app.yaml names others), zipped with all three files at the archive's root as
 * Teams requires.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppManifestUtils, type TeamsManifestV1D22 } from '@microsoft/app-manifest';
import { z } from 'zod';
import { ConfigError, type Config } from '../config';
import { defaultContentRoot } from '../content/load-content';
import { loadYaml } from '../content/yaml';
import { createZip } from './zip';

export type TeamsManifest = TeamsManifestV1D22.TeamsManifestV1D22;

/** 1.22 is the newest version Microsoft's manifest reference calls current (GA). */
export const MANIFEST_VERSION = '1.22';
export const MANIFEST_SCHEMA_URL = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

/** The message extension's search command; the bot answers `composeExtension/query` for it. */
export const SEARCH_COMMAND_ID = 'searchAnswers';
export const SEARCH_PARAMETER = 'query';

const SCOPES = ['personal', 'team', 'groupChat'] as const;

/** Thrown when the package cannot be built; the message says what to fix. */
export class AppPackageError extends Error {
  override name = 'AppPackageError';
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'må ikke være tom / must not be empty')
    .max(max, `højst ${max} tegn / at most ${max} characters`);
const httpsUrl = z.url({ protocol: /^https$/, message: 'skal være en https-adresse / must be an https URL' });

/** teams/app.yaml: what Teams shows about the app. Limits are the manifest schema's. */
export const teamsAppSchema = z
  .object({
    version: z
      .string()
      .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'skal være som 1.0.0 / must look like 1.0.0'),
    name: z.object({ short: text(30), full: text(100) }).strict(),
    description: z.object({ short: text(80), full: text(4000) }).strict(),
    developer: z
      .object({
        name: text(32),
        websiteUrl: httpsUrl.optional(),
        privacyUrl: httpsUrl.optional(),
        termsOfUseUrl: httpsUrl.optional(),
      })
      .strict(),
    accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'skal være en farve som #0050B4 / must be a colour like #0050B4'),
    icons: z.object({ color: text(500).optional(), outline: text(500).optional() }).strict().optional(),
    // Teams sends a command's title as the message, so each must be a command of the bot (a test checks it).
    commands: z.array(z.object({ title: text(128), description: text(4000) }).strict()).min(1).max(10),
    search: z
      .object({
        title: text(32),
        description: text(128),
        parameter: z.object({ title: text(32), description: text(128) }).strict(),
      })
      .strict(),
  })
  .strict();

export type TeamsAppContent = z.output<typeof teamsAppSchema>;

export interface AppPackageOptions {
  config: Config;
  /** teams/app.yaml by default; relative icon paths in it are read from its folder. */
  contentFile?: string;
  /**
   * Called with the manifest just before it is validated. Tests use it to see an invalid
   * manifest refused by the very same build.
   */
  editManifest?: (manifest: TeamsManifest) => void;
}

export interface AppPackage {
  manifest: TeamsManifest;
  /** The files at the zip's root, in order. */
  files: { name: string; data: Buffer }[];
  zip: Buffer;
  /** Things to look at before publishing (defaults still in use); the package is valid. */
  notes: string[];
}

export function defaultTeamsContentFile(): string {
  return path.join(defaultContentRoot(), 'teams', 'app.yaml');
}

function configProblem(key: string, problem: string): ConfigError {
  return new ConfigError(`Ugyldig konfiguration / invalid configuration: ${key}: ${problem}`);
}

/** The bot's public https address; the Teams app cannot point anywhere else. */
function publicUrl(config: Config): URL {
  if (!config.PUBLIC_URL) {
    throw configProblem(
      'PUBLIC_URL',
      'mangler – bottens https-adresse, fx https://mitid-hjaelper.kommune.dk / missing – the bot\'s https address',
    );
  }
  const url = new URL(config.PUBLIC_URL);
  if (url.protocol !== 'https:') {
    throw configProblem('PUBLIC_URL', 'skal være https til Teams-appen / must be https for the Teams app');
  }
  return url;
}

/** The host of PUBLIC_URL first, then TEAMS_VALID_DOMAINS, each once (domains are case-insensitive). */
export function validDomains(config: Config): string[] {
  const domains = [publicUrl(config).host, ...config.TEAMS_VALID_DOMAINS].map((d) => d.toLowerCase());
  return [...new Set(domains)];
}

/** manifest.json for the bot in `config`, with the texts from teams/app.yaml. */
export function buildManifest(config: Config, content: TeamsAppContent): TeamsManifest {
  const botId = config.MicrosoftAppId;
  if (!botId) {
    throw configProblem(
      'MicrosoftAppId',
      'mangler – Teams-appen skal have bottens app-id fra Azure Bot / missing – the Teams app needs the bot\'s app id from Azure Bot',
    );
  }
  const site = publicUrl(config).href;
  return {
    $schema: MANIFEST_SCHEMA_URL,
    manifestVersion: MANIFEST_VERSION,
    version: content.version,
    id: botId,
    developer: {
      name: content.developer.name,
      websiteUrl: content.developer.websiteUrl ?? site,
      privacyUrl: content.developer.privacyUrl ?? site,
      termsOfUseUrl: content.developer.termsOfUseUrl ?? site,
    },
    name: { ...content.name },
    description: { ...content.description },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: content.accentColor.toUpperCase(),
    bots: [
      {
        botId,
        scopes: [...SCOPES],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: SCOPES.map((scope) => ({ scopes: [scope], commands: content.commands.map((c) => ({ ...c })) })),
      },
    ],
    composeExtensions: [
      {
        botId,
        composeExtensionType: 'botBased',
        commands: [
          {
            id: SEARCH_COMMAND_ID,
            type: 'query',
            title: content.search.title,
            description: content.search.description,
            initialRun: false,
            parameters: [{ name: SEARCH_PARAMETER, ...content.search.parameter }],
          },
        ],
      },
    ],
    validDomains: validDomains(config),
  };
}

function bundledSchemaFile(): string {
  const packageDir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  return path.join(packageDir, 'build', 'json-schemas', 'teams', `v${MANIFEST_VERSION}`, 'MicrosoftTeams.schema.json');
}

/**
 * Problems with `manifest` against the manifest schema, one line each ("/path: message"),
 * empty when it is valid. The schema is the file bundled in @microsoft/app-manifest and is
 * handed to its validator, which then never fetches the `$schema` URL.
 */
export async function validateManifest(manifest: TeamsManifest): Promise<string[]> {
  const schema = JSON.parse(readFileSync(bundledSchemaFile(), 'utf8')) as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];
  const failures = await AppManifestUtils.validateAgainstSchema(manifest, schema);
  // The package reports "<path> <message>. Details: {…}"; the path is empty at the top.
  return failures.map((failure) => {
    const [where = '', ...rest] = failure.split(' ');
    return `${where || '/'}: ${rest.join(' ')}`;
  });
}

interface IconSpec {
  name: 'color.png' | 'outline.png';
  size: number;
  /** Teams asks for the outline on a transparent background. */
  transparent: boolean;
}

const ICONS: readonly IconSpec[] = [
  { name: 'color.png', size: 192, transparent: false },
  { name: 'outline.png', size: 32, transparent: true },
];

/** The icons used when teams/app.yaml names none, kept as files beside it. */
export function defaultIconFile(name: IconSpec['name']): string {
  return path.join(defaultContentRoot(), 'teams', 'icons', name);
}

/**
 * The colour teams/icons/color.png has behind its "M". A PNG cannot be recoloured without
 * decoding it, so another accentColor gets a note instead of a matching icon.
 */
export const DEFAULT_ICON_ACCENT = '#0050B4';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Size from a PNG's IHDR and whether it can be transparent; the pixels are never read. */
export function readPngHeader(data: Buffer): { width: number; height: number; transparent: boolean } {
  if (data.length < 33 || !data.subarray(0, 8).equals(PNG_SIGNATURE) || data.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('ikke en PNG-fil / not a PNG file');
  }
  // Colour types 4 and 6 carry alpha; the others are transparent only through a tRNS chunk,
  // which PNG puts before the first IDAT.
  let transparent = data[25] === 4 || data[25] === 6;
  for (let at = 8; !transparent && at + 8 <= data.length; at += 12 + data.readUInt32BE(at)) {
    const type = data.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT' || type === 'IEND') break;
    transparent = type === 'tRNS';
  }
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), transparent };
}

/** Refuses an icon of the wrong size, or an outline icon that cannot be transparent. */
export function checkIcon(spec: IconSpec, data: Buffer, source: string): void {
  let info;
  try {
    info = readPngHeader(data);
  } catch (err) {
    throw new AppPackageError(`${spec.name} (${source}): ${(err as Error).message}`);
  }
  if (info.width !== spec.size || info.height !== spec.size) {
    throw new AppPackageError(
      `${spec.name} (${source}): er ${info.width}×${info.height}, skal være ${spec.size}×${spec.size} pixels / is ${info.width}×${info.height}, must be ${spec.size}×${spec.size} pixels`,
    );
  }
  if (spec.transparent && !info.transparent) {
    throw new AppPackageError(
      `${spec.name} (${source}): skal have gennemsigtig baggrund (PNG med alfakanal) / must have a transparent background (PNG with alpha)`,
    );
  }
}

function loadIcons(content: TeamsAppContent, contentFile: string): Record<IconSpec['name'], Buffer> {
  const icons = {} as Record<IconSpec['name'], Buffer>;
  for (const spec of ICONS) {
    const own = spec.name === 'color.png' ? content.icons?.color : content.icons?.outline;
    const source = own ? path.resolve(path.dirname(contentFile), own) : defaultIconFile(spec.name);
    if (!existsSync(source)) throw new AppPackageError(`${contentFile}: icons: ${source} findes ikke / does not exist`);
    const data = readFileSync(source);
    checkIcon(spec, data, source);
    icons[spec.name] = data;
  }
  return icons;
}

/** Builds and checks the whole package in memory; throws ConfigError, ContentError (teams/app.yaml) or AppPackageError. */
export async function buildAppPackage(options: AppPackageOptions): Promise<AppPackage> {
  const contentFile = options.contentFile ?? defaultTeamsContentFile();
  const content = loadYaml(contentFile, teamsAppSchema).data;
  const manifest = buildManifest(options.config, content);
  options.editManifest?.(manifest);

  const problems = await validateManifest(manifest);
  if (problems.length > 0) {
    throw new AppPackageError(`manifest.json er ugyldig / is invalid (schema ${MANIFEST_VERSION}):\n  ${problems.join('\n  ')}`);
  }

  const icons = loadIcons(content, contentFile);
  const files = [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') },
    { name: 'color.png', data: icons['color.png'] },
    { name: 'outline.png', data: icons['outline.png'] },
  ];

  const notes: string[] = [];
  for (const key of ['privacyUrl', 'termsOfUseUrl'] as const) {
    if (!content.developer[key]) {
      notes.push(
        `developer.${key} er bottens egen side; sæt kommunens adresse i ${contentFile} før udgivelse / is the bot's own page; set your municipality's address before publishing`,
      );
    }
  }
  if (!content.icons?.color && content.accentColor.toUpperCase() !== DEFAULT_ICON_ACCENT) {
    notes.push(
      `color.png is the shipped icon, drawn on ${DEFAULT_ICON_ACCENT}, not on accentColor ${content.accentColor}; set icons.color in ${contentFile} to an icon in your colour`,
    );
  }
  return { manifest, files, zip: createZip(files), notes };
}
