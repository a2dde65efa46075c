/**
 * The Microsoft Teams app package (`npm run teams:package`): manifest.json built from the
 * bot's app id, PUBLIC_URL and teams/app.yaml, validated offline against the manifest's JSON
 * schema as bundled in @microsoft/app-manifest, and two icons whose sizes are checked (teams/icons/
 * unless teams/app.yaml names others), zipped with all three files at the archive's root as
 * Teams requires. Everything is checked before anything is refused, so one run names every problem.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppManifestUtils, type TeamsManifestV1D22 } from '@microsoft/app-manifest';
import { z } from 'zod';
import { defaultContentRoot } from '../content/load-content';
import { ContentError, loadYaml } from '../content/yaml';
import { DEFAULT_ICON_ACCENT, loadIcons } from './app-icons';
import { packageTarget, validDomains, type PackageConfig, type SettingProblems } from './package-settings';
import { createZip } from './zip';

export { DEFAULT_ICON_ACCENT, defaultIconFile, readPngHeader } from './app-icons';
export { readPackageConfig, type PackageConfig } from './package-settings';

export type TeamsManifest = TeamsManifestV1D22.TeamsManifestV1D22;

/** 1.22 is the newest version Microsoft's manifest reference calls current (GA). */
export const MANIFEST_VERSION = '1.22';
export const MANIFEST_SCHEMA_URL = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

/** The message extension's search command; the bot answers `composeExtension/query` for it. */
export const SEARCH_COMMAND_ID = 'searchAnswers';
export const SEARCH_PARAMETER = 'query';

const SCOPES = ['personal', 'team', 'groupChat'] as const;

/** Thrown when the package cannot be built: every problem found, one line each (the message has them all). */
export class AppPackageError extends Error {
  override name = 'AppPackageError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

const text = (max: number) =>
  z
    .string({ error: 'mangler eller er ikke tekst / missing or not text' })
    .trim()
    .min(1, 'må ikke være tom / must not be empty')
    .max(max, `højst ${max} tegn / at most ${max} characters`);
const httpsUrl = z.url({ protocol: /^https$/, message: 'skal være en https-adresse / must be an https URL' });
/** A mapping whose keys are all known: zod's own messages for it are English only. */
const mapping = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `ukendt nøgle / unknown key: ${issue.keys.join(', ')}` : 'mangler eller er ikke en tabel / missing or not a mapping'),
  });

/** teams/app.yaml: what Teams shows about the app. Limits are the manifest schema's. */
export const teamsAppSchema = mapping({
  version: z
    .string({ error: 'mangler eller er ikke tekst / missing or not text' })
    .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'skal være som 1.0.0 / must look like 1.0.0'),
  name: mapping({ short: text(30), full: text(100) }),
  description: mapping({ short: text(80), full: text(4000) }),
  developer: mapping({
    name: text(32),
    websiteUrl: httpsUrl.optional(),
    privacyUrl: httpsUrl.optional(),
    termsOfUseUrl: httpsUrl.optional(),
  }),
  accentColor: z
    .string({ error: 'mangler eller er ikke tekst / missing or not text' })
    .regex(/^#[0-9a-fA-F]{6}$/, 'skal være en farve som #0050B4 / must be a colour like #0050B4'),
  icons: mapping({ color: text(500).optional(), outline: text(500).optional() }).optional(),
  // Teams sends a command's title as the message, so each must be a command of the bot (a test checks it).
  commands: z
    .array(mapping({ title: text(128), description: text(4000) }), { error: 'mangler eller er ikke en liste / missing or not a list' })
    .min(1, 'mindst én kommando / at least one command')
    .max(10, 'højst ti kommandoer / at most ten commands'),
  search: mapping({
    title: text(32),
    description: text(128),
    parameter: mapping({ title: text(32), description: text(128) }),
  }),
});

export type TeamsAppContent = z.output<typeof teamsAppSchema>;

export interface AppPackageOptions {
  /** The bot's app id, PUBLIC_URL and TEAMS_VALID_DOMAINS (a whole server Config will do). */
  config: PackageConfig;
  /** Settings {@link readPackageConfig} already found wrong: named as it said, not again as missing. */
  settingProblems?: SettingProblems;
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

/** What the manifest is made of besides the texts. */
export interface ManifestTarget {
  botId: string;
  /** PUBLIC_URL, the developer pages' default. */
  site: URL;
  validDomains: string[];
}

/** manifest.json for the bot, with the texts from teams/app.yaml. */
export function buildManifest(target: ManifestTarget, content: TeamsAppContent): TeamsManifest {
  const { botId } = target;
  const site = target.site.href;
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
    validDomains: target.validDomains,
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

/** teams/app.yaml, or undefined with each of its problems added to `problems` ("file: key: what is wrong"). */
function readTeamsContent(contentFile: string, problems: string[]): TeamsAppContent | undefined {
  try {
    return loadYaml(contentFile, teamsAppSchema).data;
  } catch (err) {
    if (!(err instanceof ContentError)) throw err;
    problems.push(...(err.problems.length > 0 ? err.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`) : [err.message]));
    return undefined;
  }
}

// A missing app id or address is named already; the manifest is still checked with these in their
// place, so that its own problems are named in the same run (nothing is written then anyway).
const STAND_IN_BOT_ID = '00000000-0000-0000-0000-000000000000';
const STAND_IN_SITE = new URL('https://bot.invalid/');

/** Things to look at before publishing; the package is valid without them. */
function notesFor(content: TeamsAppContent, contentFile: string): string[] {
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
  return notes;
}

/**
 * Builds and checks the whole package in memory: the settings, teams/app.yaml, the manifest
 * against its schema and the icons. Throws one AppPackageError naming every problem found.
 */
export async function buildAppPackage(options: AppPackageOptions): Promise<AppPackage> {
  const contentFile = options.contentFile ?? defaultTeamsContentFile();
  const target = packageTarget(options.config, options.settingProblems);
  const problems = [...target.problems];
  const content = readTeamsContent(contentFile, problems);
  if (!content) throw new AppPackageError(problems);

  const site = target.site ?? STAND_IN_SITE;
  const manifest = buildManifest({ botId: target.botId ?? STAND_IN_BOT_ID, site, validDomains: validDomains(site, options.config) }, content);
  options.editManifest?.(manifest);
  for (const problem of await validateManifest(manifest)) problems.push(`manifest.json er ugyldig / is invalid (schema ${MANIFEST_VERSION}): ${problem}`);
  const icons = loadIcons(content.icons, contentFile, problems);
  if (problems.length > 0 || !icons) throw new AppPackageError(problems);

  const files = [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') },
    { name: 'color.png', data: icons['color.png'] },
    { name: 'outline.png', data: icons['outline.png'] },
  ];
  return { manifest, files, zip: createZip(files), notes: notesFor(content, contentFile) };
}
