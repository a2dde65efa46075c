import { configSchema, type Config } from '../config';

/** What the Teams app package is built from: the bot's app id and where it is. The secret is no part of it. */
export type PackageConfig = Pick<Config, 'MicrosoftAppId' | 'PUBLIC_URL' | 'TEAMS_VALID_DOMAINS'>;
export type PackageKey = keyof PackageConfig;

const KEYS: readonly PackageKey[] = ['MicrosoftAppId', 'PUBLIC_URL', 'TEAMS_VALID_DOMAINS'];

const problemLine = (key: string, problem: string): string => `Ugyldig konfiguration / invalid configuration: ${key}: ${problem}`;

/** Settings already found wrong (by {@link readPackageConfig}), one line each, so the build does not name them twice. */
export type SettingProblems = Partial<Record<PackageKey, string>>;

/**
 * The package's three settings from the environment, each checked as the server checks it but
 * on its own: packaging must not need the bot's secret, its tenant or anything else the running
 * bot needs. A wrong setting is left out and named.
 */
export function readPackageConfig(env: Record<string, string | undefined>): { config: PackageConfig; problems: SettingProblems } {
  const config: PackageConfig = { TEAMS_VALID_DOMAINS: [] };
  const problems: SettingProblems = {};
  for (const key of KEYS) {
    const result = configSchema.shape[key].safeParse(env[key]);
    if (result.success) Object.assign(config, { [key]: result.data });
    else problems[key] = problemLine(key, result.error.issues.map((issue) => issue.message).join('; '));
  }
  return { config, problems };
}

/** What the manifest needs from the settings; a part that is missing or wrong is undefined and named in `problems`. */
export interface PackageTarget {
  botId?: string;
  /** PUBLIC_URL, https. */
  site?: URL;
  problems: string[];
}

/** The bot's app id and its public https address, or what is wrong with them. */
export function packageTarget(config: PackageConfig, known: SettingProblems = {}): PackageTarget {
  const problems: string[] = [];
  const botId = config.MicrosoftAppId;
  if (known.MicrosoftAppId) problems.push(known.MicrosoftAppId);
  else if (!botId) problems.push(problemLine('MicrosoftAppId', 'mangler – Teams-appen skal have bottens app-id fra Azure Bot / missing – the Teams app needs the bot\'s app id from Azure Bot'));
  let site: URL | undefined;
  if (known.PUBLIC_URL) problems.push(known.PUBLIC_URL);
  else if (!config.PUBLIC_URL) problems.push(problemLine('PUBLIC_URL', 'mangler – bottens https-adresse, fx https://mitid-hjaelper.kommune.dk / missing – the bot\'s https address'));
  else if (new URL(config.PUBLIC_URL).protocol !== 'https:') problems.push(problemLine('PUBLIC_URL', 'skal være https til Teams-appen / must be https for the Teams app'));
  else site = new URL(config.PUBLIC_URL);
  if (known.TEAMS_VALID_DOMAINS) problems.push(known.TEAMS_VALID_DOMAINS);
  return { ...(botId ? { botId } : {}), ...(site ? { site } : {}), problems };
}

/** The host of PUBLIC_URL first, then TEAMS_VALID_DOMAINS, each once (domains are case-insensitive). */
export function validDomains(site: URL | undefined, config: Pick<PackageConfig, 'TEAMS_VALID_DOMAINS'>): string[] {
  const domains = [...(site ? [site.host] : []), ...config.TEAMS_VALID_DOMAINS].map((d) => d.toLowerCase());
  return [...new Set(domains)];
}
