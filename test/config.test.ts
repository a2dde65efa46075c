import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, parseConfig, readEnvironment } from '../src/config';

const OIDC = { OIDC_ISSUER: 'https://login.microsoftonline.com/t/v2.0', OIDC_CLIENT_ID: 'client', OIDC_CLIENT_SECRET: 'secret' };

describe('configuration', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3978);
    expect(config.STORAGE).toBe('sqlite');
    expect(config.DATA_DIR).toBe('./data');
    expect(config.MicrosoftAppId).toBeUndefined();
    expect(config.STORAGE_FSYNC).toBe(false);
  });

  it('reads the slot-file store\'s settings under their old names: STORAGE=file is SQLite, FILE_STORAGE_FSYNC is STORAGE_FSYNC', () => {
    expect(parseConfig({ STORAGE: 'file' }).STORAGE).toBe('sqlite');
    expect(parseConfig({ FILE_STORAGE_FSYNC: 'true' }).STORAGE_FSYNC).toBe(true);
    expect(parseConfig({ STORAGE_FSYNC: 'true' }).STORAGE_FSYNC).toBe(true);
    // The new name wins when both are set.
    expect(parseConfig({ STORAGE_FSYNC: 'false', FILE_STORAGE_FSYNC: 'true' }).STORAGE_FSYNC).toBe(false);
  });

  it('treats empty values as unset, as .env files written from the example have them', () => {
    expect(parseConfig({ PORT: '', MicrosoftAppId: '', BOT_DATE: '' }).PORT).toBe(3978);
  });

  it.each([
    [{ PORT: 'abc' }, /^Ugyldig konfiguration \/ invalid configuration: PORT: skal være et tal \/ must be a number$/],
    [{ PORT: '70000' }, /PORT: skal være mellem 0 og 65535/],
    [{ MicrosoftAppId: 'not-a-guid' }, /MicrosoftAppId: skal være et GUID/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: skal være fatal/],
    [{ BOT_DATE: '21-11-2026' }, /BOT_DATE: skal være en dato/],
    [{ STORAGE_FSYNC: 'yes' }, /STORAGE_FSYNC: skal være true eller false/],
    [{ FILE_STORAGE_FSYNC: 'yes' }, /STORAGE_FSYNC: skal være true eller false/],
    [{ STORAGE: 'files' }, /STORAGE: skal være "sqlite", "postgres" eller "blob"/],
    // Several instances must check each other's widget tokens.
    [{ STORAGE: 'postgres', DATABASE_URL: 'postgres://bot@db/mitid' }, /DIRECTLINE_SECRET: mangler, når STORAGE=postgres/],
    [{ STORAGE: 'postgres', DATABASE_URL: 'mysql://bot@db/mitid', DIRECTLINE_SECRET: 'x'.repeat(32) }, /DATABASE_URL: skal være en postgres:\/\/-adresse/],
    [{ MicrosoftAppId: '11111111-2222-3333-4444-555555555555' }, /MicrosoftAppPassword: mangler/],
    // Single tenant is the default (all Azure creates now), and it needs the tenant.
    [{ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'x' }, /MicrosoftAppTenantId: mangler, når MicrosoftAppType=SingleTenant/],
    [{ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppType: 'UserAssignedMSI' }, /MicrosoftAppTenantId: mangler, når MicrosoftAppType=UserAssignedMSI/],
    // Staff sign-in with OpenID Connect: the client whole or not at all, somebody allowed, https.
    [{ OIDC_ISSUER: 'https://login.microsoftonline.com/t/v2.0' }, /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: mangler, når OIDC_ISSUER er sat \/ missing while OIDC_ISSUER is set/],
    [{ OIDC_CLIENT_SECRET: 's' }, /OIDC_ISSUER, OIDC_CLIENT_ID: mangler, når OIDC_CLIENT_SECRET er sat/],
    [{ ...OIDC, OIDC_ALLOWED_GROUPS: ' , ' }, /OIDC_ALLOWED_GROUPS, OIDC_ALLOWED_USERS: mindst én skal være sat/],
    [{ ...OIDC, OIDC_ALLOWED_USERS: 'anna@kommune.dk', OIDC_REDIRECT_URL: '' }, /OIDC_REDIRECT_URL: mangler, sæt den eller PUBLIC_URL/],
    [{ ...OIDC, OIDC_ALLOWED_USERS: 'anna@kommune.dk', PUBLIC_URL: 'http://bot.kommune.dk' }, /OIDC_REDIRECT_URL: http:\/\/bot.kommune.dk\/agent\/oidc\/callback \(fra PUBLIC_URL\) skal være https/],
    [{ ...OIDC, OIDC_ISSUER: 'http://idp.kommune.dk', OIDC_ALLOWED_USERS: 'a' }, /OIDC_ISSUER: skal være en https-adresse \(http kun til localhost\)/],
    [{ ...OIDC, OIDC_ALLOWED_USERS: 'a', OIDC_REDIRECT_URL: 'not a url' }, /OIDC_REDIRECT_URL: skal være en https-adresse/],
  ])('a bad value stops start-up with one line naming the key: %o', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    try {
      parseConfig(env);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('staff sign-in with OpenID Connect is off by default, and its redirect URL follows PUBLIC_URL', () => {
    const off = parseConfig({});
    expect([off.OIDC_ISSUER, off.OIDC_REDIRECT_URL, off.OIDC_ALLOWED_GROUPS, off.OIDC_ALLOWED_USERS]).toEqual([undefined, undefined, [], []]);
    const on = parseConfig({ ...OIDC, PUBLIC_URL: 'https://bot.kommune.dk/', OIDC_ALLOWED_GROUPS: 'g1, g2,', OIDC_ALLOWED_USERS: 'anna@kommune.dk' });
    expect(on.OIDC_REDIRECT_URL).toBe('https://bot.kommune.dk/agent/oidc/callback');
    expect(on.OIDC_ALLOWED_GROUPS).toEqual(['g1', 'g2']);
    expect(on.OIDC_ALLOWED_USERS).toEqual(['anna@kommune.dk']);
    const own = parseConfig({ ...OIDC, PUBLIC_URL: 'https://bot.kommune.dk', OIDC_REDIRECT_URL: 'http://localhost:3978/cb', OIDC_ALLOWED_USERS: 'a' });
    expect(own.OIDC_REDIRECT_URL).toBe('http://localhost:3978/cb');
  });

  it('reads .env underneath the real environment', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-env-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'PORT=4000\nLOG_LEVEL=debug\n');
      const env = readEnvironment(dir, { LOG_LEVEL: 'warn' });
      expect(parseConfig(env).PORT).toBe(4000);
      expect(parseConfig(env).LOG_LEVEL).toBe('warn');
      expect(readEnvironment(path.join(dir, 'none'), {})).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('.env.example documents every key of the schema and no other', () => {
    const example = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^#?\s*([A-Za-z_]+)=/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(configSchema.shape)));
  });

  it('.env.example copied as it is to .env runs the bot unauthenticated, whatever type it names', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-env-'));
    try {
      writeFileSync(path.join(dir, '.env'), readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8'));
      const config = parseConfig(readEnvironment(dir, {}));
      expect(config.MicrosoftAppId).toBeUndefined();
      // botbuilder refuses SingleTenant without an app id, so no type reaches it.
      expect(config.MicrosoftAppType).toBeUndefined();
      const withId = parseConfig({ ...readEnvironment(dir, {}), MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 't' });
      expect(withId.MicrosoftAppType).toBe('SingleTenant');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('local agent accounts', () => {
  it('shows a username as a name: anna.jensen is Anna Jensen to citizens and colleagues, bo is Bo', async () => {
    const { hashAgentPassword } = await import('../src/config/agent-accounts');
    const entries = [await hashAgentPassword('anna.jensen', 'en-lang-adgangskode'), await hashAgentPassword('bo', 'en-lang-adgangskode')];
    const config = parseConfig({ AGENT_ACCOUNTS: entries.join(',') });
    expect(config.AGENT_ACCOUNTS.map((a) => [a.username, a.displayName])).toEqual([
      ['anna.jensen', 'Anna Jensen'],
      ['bo', 'Bo'],
    ]);
  });
});
