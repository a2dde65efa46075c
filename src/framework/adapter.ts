import { CloudAdapter, StatusCodes, type Activity, type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext } from 'botbuilder';
import { BotAuthentication } from './bot-authentication';
import {
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';

/** Distinct (app id, service URL, audience) combinations kept; a bot normally talks to a handful. */
const MAX_CACHED_CLIENTS = 64;

/** A small least-recently-used map: enough to bound what untrusted service URLs can make us keep. */
class Lru<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  getOrCreate(key: string, create: () => V): V {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const value = create();
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  /** Forgets `key` if it still maps to `value` (a newer entry is left alone). */
  forget(key: string, value: V): void {
    if (this.entries.get(key) === value) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Shares one creation per key; a failed one (a credentials error, say) is not kept, so the next turn tries again. */
function cachedUnlessFailed<T>(cache: Lru<Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
  const created = cache.getOrCreate(key, create);
  created.catch(() => cache.forget(key, created));
  return created;
}

/** The claims that decide which app id botbuilder's factories build credentials for. */
function identityKey(claims: ClaimsIdentity): string {
  return `${claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? ''}\n${claims.getClaimValue(AuthenticationConstants.AppIdClaim) ?? ''}`;
}

/**
 * Hands out one ConnectorClient per (identity, service URL, audience) instead of one per
 * turn. Building a client builds a whole Azure HTTP pipeline (policies, proxy settings from
 * the environment, a sanitizer), which cost more CPU than the bot's own work on a turn,
 * and with `expectReplies` the client is never even used. A client holds no per-turn
 * state: its credentials fetch and cache their own tokens.
 */
class CachedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly identity: string,
    private readonly clients: Lru<Promise<ConnectorClient>>,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = `${this.identity}\n${serviceUrl}\n${audience ?? ''}`;
    return cachedUnlessFailed(this.clients, key, () => this.inner.create(serviceUrl, audience));
  }
}

/**
 * Botbuilder's own authentication with the per-turn clients cached. Every inbound request is
 * still authenticated by the wrapped {@link BotFrameworkAuthentication} (JWT validation when
 * MicrosoftAppId is set); only the outbound clients it would build afterwards are reused.
 */
export class CachingBotFrameworkAuthentication extends BotFrameworkAuthentication {
  private readonly connectorClients = new Lru<Promise<ConnectorClient>>(MAX_CACHED_CLIENTS);
  private readonly userTokenClients = new Lru<Promise<UserTokenClient>>(MAX_CACHED_CLIENTS);

  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.withCachedFactory(await this.inner.authenticateRequest(activity, authHeader));
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.withCachedFactory(await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new CachedConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), identityKey(claimsIdentity), this.connectorClients);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return cachedUnlessFailed(this.userTokenClients, identityKey(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  /** How many connector clients are cached (for tests). */
  get cachedConnectorClients(): number {
    return this.connectorClients.size;
  }

  private withCachedFactory(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const { connectorFactory } = result;
    if (!connectorFactory) return result;
    return { ...result, connectorFactory: new CachedConnectorFactory(connectorFactory, identityKey(result.claimsIdentity), this.connectorClients) };
  }
}

/** What to answer the channel that posted an activity. */
export interface TurnResponse {
  status: number;
  body?: unknown;
}

/**
 * The CloudAdapter with a way in for activities the route has already parsed and checked
 * (`src/http/activity-schema.ts`). `CloudAdapter.process` checks the body again with zod
 * schemas it builds on every call, which cost 2–3 % of a turn's CPU; past that check it does
 * exactly this: authenticate, run the turn, answer with the invoke or expectReplies response.
 */
export class BotAdapter extends CloudAdapter {
  async processChecked(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<TurnResponse> {
    datesFromStrings(activity);
    try {
      const response = await this.processActivity(authHeader, activity, logic);
      return { status: response?.status ?? StatusCodes.OK, body: response?.body };
    } catch (err) {
      if (err instanceof AuthenticationError) return { status: StatusCodes.UNAUTHORIZED, body: { error: 'Ikke godkendt / unauthorized' } };
      throw err;
    }
  }
}

/** As botbuilder does on the way in: JSON carries dates as strings, activities as `Date`s (the text is kept). */
function datesFromStrings(activity: Activity): void {
  const loose = activity as unknown as Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    const value = loose[field];
    if (typeof value === 'string') {
      loose[raw] = value;
      loose[field] = new Date(value);
    }
  }
}

/** The adapter for /api/messages and Direct Line, authenticating as configured. */
export function createAdapter(auth: ConfigurationBotFrameworkAuthenticationOptions): BotAdapter {
  return new BotAdapter(new CachingBotFrameworkAuthentication(new BotAuthentication(auth)));
}
