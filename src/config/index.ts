import { isIP } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { isoDay } from '../clock';
import { agentAccountsSchema, teamsAgentsSchema } from './agent-accounts';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const port = z.preprocess(
  emptyAsUndefined,
  z.coerce
    .number({ message: 'skal være et tal / must be a number' })
    .int('skal være et heltal / must be an integer')
    .min(0, 'skal være mellem 0 og 65535 / must be between 0 and 65535')
    .max(65535, 'skal være mellem 0 og 65535 / must be between 0 and 65535')
    .default(3978),
);

function positiveInt(fallback: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'skal være et tal / must be a number' })
      .int('skal være et heltal / must be an integer')
      .positive('skal være større end 0 / must be greater than 0')
      .max(max, `må højst være ${max} / must be at most ${max}`)
      .default(fallback),
  );
}

const flag = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false', '1', '0'], { message: 'skal være true eller false / must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  );

const commaList = () =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('')
      .transform((v) => v.split(',').map((e) => e.trim()).filter((e) => e.length > 0)),
  );

// Plain http only on this machine: an ID token or a code sent in the clear elsewhere could be read on the way.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// zod runs refinements after a failed check too, so a value that is no URL at all passes here (z.url reports it).
const isSafeWebUrl = (value: string): boolean => {
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
};
const oidcUrl = z.preprocess(
  emptyAsUndefined,
  z
    .url({ protocol: /^https?$/, message: 'skal være en https-adresse / must be an https URL' })
    .refine(isSafeWebUrl, 'skal være en https-adresse (http kun til localhost) / must be an https URL (http only for localhost)')
    .optional(),
);

/**
 * Every setting the bot reads from the environment, with its default.
 * `.env.example` documents the same keys; a test keeps the two in step.
 */
export const configSchema = z.object({
  PORT: port,
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  MicrosoftAppId: z.preprocess(emptyAsUndefined, z.guid('skal være et GUID / must be a GUID').optional()),
  MicrosoftAppPassword: z.preprocess(emptyAsUndefined, z.string().optional()),
  MicrosoftAppType: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
        message: 'skal være MultiTenant, SingleTenant eller UserAssignedMSI / must be MultiTenant, SingleTenant or UserAssignedMSI',
      })
      .optional(),
  ),
  MicrosoftAppTenantId: z.preprocess(emptyAsUndefined, z.string().optional()),
  // "file" was the slot-file store before SQLite; its files are imported into SQLite once (src/storage/import-slot-files.ts).
  STORAGE: z.preprocess(
    (value) => (value === 'file' ? 'sqlite' : emptyAsUndefined(value)),
    z
      .enum(['sqlite', 'postgres', 'blob'], { message: 'skal være "sqlite", "postgres" eller "blob" / must be "sqlite", "postgres" or "blob"' })
      .default('sqlite'),
  ),
  // libpq's PG* variables (PGHOST, PGUSER, PGPASSWORD …) fill in what the URL leaves out.
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'skal være en postgres://-adresse / must be a postgres:// URL')
      .optional(),
  ),
  PG_POOL_MAX: positiveInt(10, 200),
  BLOB_CONNECTION_STRING: z.preprocess(emptyAsUndefined, z.string().min(10).optional()),
  BLOB_CONTAINER: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'skal være 3-63 tegn: a-z, 0-9 og bindestreg / must be 3-63 characters: a-z, 0-9 and dashes')
      .default('mitid-hjaelperen'),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
  // FILE_STORAGE_FSYNC, its name in the slot-file store, is still read (parseConfig).
  STORAGE_FSYNC: flag(false),
  STORAGE_TIMEOUT_MS: positiveInt(3_000, 60_000),
  READY_TIMEOUT_MS: positiveInt(1_000, 30_000),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'skal være fatal, error, warn, info, debug, trace eller silent / must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
  MAX_BODY_BYTES: positiveInt(256 * 1024, 10 * 1024 * 1024),
  MAX_MESSAGE_CHARS: positiveInt(2000, 100_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000, 300_000),
  BOT_DATE: z.preprocess(emptyAsUndefined, isoDay.optional()),
  DIRECTLINE_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'skal være mindst 32 tegn / must be at least 32 characters').optional()),
  DIRECTLINE_TOKEN_TTL_SECONDS: positiveInt(1800, 86_400),
  WIDGET_ALLOWED_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('')
      .transform((v) => v.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
      .refine((origins) => origins.every((o) => /^https?:\/\/[^/]+$/.test(o)), {
        message: 'skal være origins som https://kommune.dk adskilt af komma / must be comma-separated origins like https://kommune.dk',
      }),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.string().optional()),
  // Unset: resolved in parseConfig from NODE_ENV (see serviceUrlAllowList).
  SERVICE_URL_ALLOW_LIST: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((v) => (v === undefined ? undefined : v.split(',').map((o) => o.trim()).filter((o) => o.length > 0)))
      .refine((entries) => entries === undefined || entries.every((e) => e === 'loopback' || e === 'none' || /^https?:\/\/[^/\s]+(\/\S*)?$/.test(e)), {
        message: 'skal være adresser som https://smba.trafficmanager.net/ eller "loopback", adskilt af komma / must be comma-separated URLs such as https://smba.trafficmanager.net/ or "loopback"',
      }),
  ),
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('')
      .transform((v) => v.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
      .refine((entries) => entries.every((e) => e === 'loopback' || isIP(e) !== 0), {
        message: 'skal være IP-adresser eller "loopback" adskilt af komma / must be comma-separated IP addresses or "loopback"',
      }),
  ),
  MAX_STREAMS_PER_CONVERSATION: positiveInt(4, 100),
  LIMIT_MESSAGES_PER_MINUTE: positiveInt(30, 10_000),
  LIMIT_CONVERSATIONS_PER_IP_PER_HOUR: positiveInt(30, 100_000),
  CONVERSATION_IDLE_MINUTES: positiveInt(30, 7 * 24 * 60),
  HANDOFF_PROTOCOL: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['botframework', 'omnichannel'], { message: 'skal være botframework eller omnichannel / must be botframework or omnichannel' })
      .default('botframework'),
  ),
  AGENT_HUB: z.preprocess(
    emptyAsUndefined,
    z.enum(['builtin', 'external'], { message: 'skal være builtin eller external / must be builtin or external' }).default('builtin'),
  ),
  HANDOFF_WAIT_SECONDS: positiveInt(300, 24 * 60 * 60),
  AGENT_MAX_CHATS: positiveInt(3, 20),
  HANDOFF_HISTORY_DAYS: positiveInt(90, 3650),
  AGENT_ACCOUNTS: z.preprocess(emptyAsUndefined, agentAccountsSchema.default([])),
  // Usernames of AGENT_ACCOUNTS who read every case; checked against the accounts in parseConfig.
  AGENT_SUPERVISORS: commaList(),
  AGENT_SESSION_HOURS: positiveInt(8, 24),
  AGENT_IDLE_MINUTES: positiveInt(60, 24 * 60),
  OIDC_ISSUER: oidcUrl,
  OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
  OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
  // Unset: PUBLIC_URL + /agent/oidc/callback, resolved in parseConfig.
  OIDC_REDIRECT_URL: oidcUrl,
  OIDC_ALLOWED_GROUPS: commaList(),
  OIDC_ALLOWED_USERS: commaList(),
  OIDC_SUPERVISOR_GROUPS: commaList(),
  // A brand, not a sentence: the page's own text (dialogs/pages.yaml) puts it in its button.
  OIDC_PROVIDER_NAME: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(60).default('Microsoft')),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, message: 'skal være en http(s)-adresse / must be an http(s) URL' }).optional()),
  TEAMS_VALID_DOMAINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('')
      .transform((v) => v.split(',').map((d) => d.trim()).filter((d) => d.length > 0))
      .refine((domains) => domains.every((d) => /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(d)), {
        message: 'skal være domæner som bot.kommune.dk adskilt af komma / must be comma-separated domains like bot.kommune.dk',
      }),
  ),
  TEAMS_AGENT_CHANNEL_ID: z.preprocess(emptyAsUndefined, z.string().min(3).optional()),
  TEAMS_SERVICE_URL: z.preprocess(emptyAsUndefined, z.url({ message: 'skal være en adresse / must be a URL' }).default('https://smba.trafficmanager.net/emea/')),
  TEAMS_TENANT_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEAMS_AGENTS: z.preprocess(emptyAsUndefined, teamsAgentsSchema.default([])),
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'skal være mindst 16 tegn / must be at least 16 characters').optional()),
});

export type Config = z.output<typeof configSchema>;

/**
 * Where the bot may send replies when requests are not authenticated (no MicrosoftAppId):
 * the list set, or by default loopback only in development (the Bot Framework Emulator) and
 * nothing in production (the built-in Direct Line needs no callback).
 */
export function serviceUrlAllowList(config: Pick<Config, 'SERVICE_URL_ALLOW_LIST' | 'NODE_ENV'>): readonly string[] {
  const list = config.SERVICE_URL_ALLOW_LIST ?? (config.NODE_ENV === 'production' ? [] : ['loopback']);
  return list.filter((entry) => entry !== 'none');
}

/** Start-up stops with this; the message is one line naming the key and what is wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates settings from `env` (process.env merged with .env by {@link readEnvironment}). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse({ ...env, STORAGE_FSYNC: env.STORAGE_FSYNC ?? env.FILE_STORAGE_FSYNC });
  if (result.success) {
    if (result.data.STORAGE === 'blob' && !result.data.BLOB_CONNECTION_STRING) {
      throw new ConfigError('Ugyldig konfiguration / invalid configuration: BLOB_CONNECTION_STRING: mangler, når STORAGE=blob / missing while STORAGE=blob');
    }
    // Every instance must sign and check the widget's tokens with the same secret; one generated per instance would not do.
    if (result.data.STORAGE === 'postgres' && !result.data.DIRECTLINE_SECRET) {
      throw new ConfigError(
        'Ugyldig konfiguration / invalid configuration: DIRECTLINE_SECRET: mangler, når STORAGE=postgres (alle instanser skal bruge den samme) / missing while STORAGE=postgres (every instance must share it)',
      );
    }
    if (result.data.MicrosoftAppId && !result.data.MicrosoftAppPassword && result.data.MicrosoftAppType !== 'UserAssignedMSI') {
      throw new ConfigError(
        'Ugyldig konfiguration / invalid configuration: MicrosoftAppPassword: mangler, når MicrosoftAppId er sat / missing while MicrosoftAppId is set',
      );
    }
    // Azure creates new bots as single-tenant only (multi-tenant creation ended in 2025), so that
    // is the default; without an app id botbuilder must not be given a type at all (it would ask
    // for the id), and the bot runs unauthenticated, whatever .env says.
    result.data.MicrosoftAppType = result.data.MicrosoftAppId ? (result.data.MicrosoftAppType ?? 'SingleTenant') : undefined;
    if (result.data.MicrosoftAppId && result.data.MicrosoftAppType !== 'MultiTenant' && !result.data.MicrosoftAppTenantId) {
      throw new ConfigError(
        `Ugyldig konfiguration / invalid configuration: MicrosoftAppTenantId: mangler, når MicrosoftAppType=${result.data.MicrosoftAppType} / missing while MicrosoftAppType=${result.data.MicrosoftAppType}`,
      );
    }
    checkOidc(result.data);
    checkSupervisors(result.data);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Ugyldig konfiguration / invalid configuration: ${problems.join('; ')}`);
}

const OIDC_CLIENT_KEYS = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
const oidcProblem = (key: string, problem: string) => new ConfigError(`Ugyldig konfiguration / invalid configuration: ${key}: ${problem}`);

/** Staff sign-in with OpenID Connect is on when the client is set; then it must be whole, and somebody allowed. */
function checkOidc(config: Config): void {
  const missing = OIDC_CLIENT_KEYS.filter((key) => !config[key]);
  if (missing.length === OIDC_CLIENT_KEYS.length) return;
  const set = OIDC_CLIENT_KEYS.find((key) => config[key])!;
  if (missing.length > 0) throw oidcProblem(missing.join(', '), `mangler, når ${set} er sat / missing while ${set} is set`);
  if (config.OIDC_ALLOWED_GROUPS.length === 0 && config.OIDC_ALLOWED_USERS.length === 0) {
    throw oidcProblem(
      'OIDC_ALLOWED_GROUPS, OIDC_ALLOWED_USERS',
      'mindst én skal være sat, ellers kan ingen logge ind / at least one must be set, or nobody can sign in',
    );
  }
  if (!config.OIDC_REDIRECT_URL && config.PUBLIC_URL) {
    const redirect = `${config.PUBLIC_URL.replace(/\/+$/, '')}/agent/oidc/callback`;
    if (!isSafeWebUrl(redirect)) throw oidcProblem('OIDC_REDIRECT_URL', `${redirect} (fra PUBLIC_URL) skal være https / (from PUBLIC_URL) must be https`);
    config.OIDC_REDIRECT_URL = redirect;
  }
  if (!config.OIDC_REDIRECT_URL) throw oidcProblem('OIDC_REDIRECT_URL', 'mangler, sæt den eller PUBLIC_URL / missing, set it or PUBLIC_URL');
}

/** Usernames are compared as sign-in compares them; a name that is no account is a typo, not a wish. */
function checkSupervisors(config: Config): void {
  config.AGENT_SUPERVISORS = config.AGENT_SUPERVISORS.map((name) => name.toLowerCase());
  const unknown = config.AGENT_SUPERVISORS.filter((name) => !config.AGENT_ACCOUNTS.some((a) => a.username === name));
  if (unknown.length > 0) {
    throw new ConfigError(`Ugyldig konfiguration / invalid configuration: AGENT_SUPERVISORS: ${unknown.join(', ')} findes ikke i AGENT_ACCOUNTS / not in AGENT_ACCOUNTS`);
  }
}

/**
 * The environment with a `.env` file in `dir` (if any) underneath: variables already set
 * in the environment win, as deployment platforms expect.
 */
export function readEnvironment(dir: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = path.join(dir, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...env };
}
