import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** Someone who can sign in at the test provider, with the claims their ID token carries besides `sub`. */
export interface TestAccount {
  sub: string;
  claims: Record<string, unknown>;
}

export interface TestOidcProviderOptions {
  /** The client's one registered redirect URI. */
  redirectUri: string;
  accounts: TestAccount[];
  /** Listen on this port (to bring up a provider where one was missing); a free one unless given. */
  port?: number;
}

interface Interaction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}

/**
 * A real OpenID provider (oidc-provider 8) on 127.0.0.1 with one confidential client, for the
 * staff sign-in tests and later browser tests. Its login page is a plain form with an account
 * field, no password: who signs in is the test's choice. Consent is given at once, as an Entra ID
 * administrator gives it for the whole tenant. It behaves as Entra ID does where the desk relies
 * on it: name, preferred_username, email, oid and groups are in the ID token itself.
 */
export class TestOidcProvider {
  readonly clientId = 'desk-test-client';
  readonly clientSecret = randomBytes(24).toString('base64url');
  /** Errors the provider hit itself, for a failing test to show. */
  readonly serverErrors: Error[] = [];
  issuer = '';
  private server?: Server;
  private provider?: Provider;

  constructor(private readonly options: TestOidcProviderOptions) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.provider = new Provider(this.issuer, this.configuration());
    this.provider.on('server_error', (_ctx: unknown, err: Error) => this.serverErrors.push(err));
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Walks a browser through the provider from `authorizationUrl` to the redirect back to the
   * client, signing in as `account`, and returns that redirect's URL (code and state in it).
   */
  async signIn(authorizationUrl: string, account: string): Promise<string> {
    const browser = new CookieBrowser();
    let response = await browser.request(authorizationUrl);
    for (let step = 0; step < 12; step++) {
      const location = response.headers.get('location');
      if (location) {
        const next = new URL(location, response.url).href;
        if (next.startsWith(this.options.redirectUri)) return next;
        response = await browser.request(next);
      } else if (response.status === 200 && response.url.includes('/interaction/')) {
        response = await browser.request(`${response.url}/login`, new URLSearchParams({ account }));
      } else {
        throw new Error(`the provider answered ${response.status} at ${response.url}: ${(await response.text()).slice(0, 300)}`);
      }
    }
    throw new Error('the provider never sent the browser back to the client');
  }

  private configuration(): ConstructorParameters<typeof Provider>[1] {
    const accounts = new Map(this.options.accounts.map((a) => [a.sub, a]));
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    return {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: [this.options.redirectUri],
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      findAccount: (_ctx: unknown, sub: string) => {
        const account = accounts.get(sub);
        return account && { accountId: sub, claims: () => ({ sub, ...account.claims }) };
      },
      claims: { openid: ['sub', 'oid', 'groups'], profile: ['name', 'preferred_username'], email: ['email'] },
      // Entra ID puts the profile claims in the ID token; the standard's default keeps them for /userinfo.
      conformIdTokenClaims: false,
      // Every sign-in must come with a PKCE challenge, so a client that forgot it fails here.
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      jwks: { keys: [{ ...key, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      adapter: memoryAdapter(),
      // Set, not left to the defaults, so the provider has nothing to warn about on the test's output.
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const provider = this.provider!;
    if (!req.url?.startsWith('/interaction/')) return provider.callback()(req, res);
    try {
      const interaction = (await provider.interactionDetails(req, res)) as Interaction;
      if (interaction.prompt.name === 'login' && req.method === 'POST') {
        const account = new URLSearchParams(await readBody(req)).get('account') ?? '';
        await provider.interactionFinished(req, res, { login: { accountId: account } }, { mergeWithLastSubmission: false });
      } else if (interaction.prompt.name === 'login') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(`<form method="post" action="/interaction/${interaction.uid}/login"><input name="account"><button>Log ind</button></form>`);
      } else {
        await provider.interactionFinished(req, res, { consent: { grantId: await this.grant(interaction) } }, { mergeWithLastSubmission: true });
      }
    } catch (err) {
      this.serverErrors.push(err as Error);
      res.statusCode = 500;
      res.end(String(err));
    }
  }

  /** The grant for what the client asked, as an administrator's consent for the tenant would give it. */
  private async grant(interaction: Interaction): Promise<string> {
    const provider = this.provider!;
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId: interaction.session?.accountId, clientId: interaction.params.client_id as string });
    if (!grant) throw new Error(`grant ${interaction.grantId} is gone`);
    const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    return grant.save();
  }
}

interface Stored {
  payload: Record<string, unknown>;
  expiresAt: number;
}

/**
 * The provider's records in a Map of this provider's own: its built-in memory adapter is shared
 * by every provider in the process (and warns each time one starts).
 */
function memoryAdapter() {
  const records = new Map<string, Stored>();
  const live = (key: string | undefined) => {
    const record = key === undefined ? undefined : records.get(key);
    return record && record.expiresAt > Date.now() ? record.payload : undefined;
  };
  return class {
    constructor(private readonly model: string) {}
    private key = (id: string) => `${this.model}:${id}`;
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      records.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    private findBy = (field: string, value: string) =>
      [...records.keys()].map((key) => key.startsWith(`${this.model}:`) && live(key)).find((p) => p && p[field] === value) || undefined;
    async findByUid(uid: string) {
      return this.findBy('uid', uid);
    }
    async findByUserCode(userCode: string) {
      return this.findBy('userCode', userCode);
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      records.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, r] of records) if (r.payload.grantId === grantId) records.delete(key);
    }
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let raw = '';
  for await (const chunk of req) raw += (chunk as Buffer).toString('utf8');
  return raw;
}

/** Just enough of a browser: follows nothing by itself, and keeps and sends cookies (paths ignored). */
class CookieBrowser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, form?: URLSearchParams): Promise<Response> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, body: form?.toString(), redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const gone = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1).trim());
    }
    return response;
  }
}
