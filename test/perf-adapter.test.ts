import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { AuthenticationConstants, AuthenticationError, BotFrameworkAuthentication, ClaimsIdentity, ConnectorFactory, type ConnectorClient } from 'botframework-connector';
import { describe, expect, it, vi } from 'vitest';
import { CachingBotFrameworkAuthentication, createAdapter } from '../src/framework/adapter';
import { emulatorActivity } from './helpers/emulator-activity';

const APP_ID = '11111111-2222-3333-4444-555555555555';

function message(serviceUrl = 'http://127.0.0.1:9'): Activity {
  return { ...emulatorActivity('c1', { text: 'hej' }), serviceUrl } as unknown as Activity;
}

function openAuth(): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication({});
}

describe('CachingBotFrameworkAuthentication', () => {
  it('reuses one connector client per service URL across turns', async () => {
    const auth = new CachingBotFrameworkAuthentication(openAuth());
    const first = await auth.authenticateRequest(message(), '');
    const second = await auth.authenticateRequest(message(), '');
    const a = await first.connectorFactory!.create('http://127.0.0.1:9', first.audience);
    const b = await second.connectorFactory!.create('http://127.0.0.1:9', second.audience);
    const other = await second.connectorFactory!.create('http://127.0.0.1:10', second.audience);
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(auth.cachedConnectorClients).toBe(2);
  });

  it('reuses the user token client for the same identity', async () => {
    const auth = new CachingBotFrameworkAuthentication(openAuth());
    const { claimsIdentity } = await auth.authenticateRequest(message(), '');
    expect(await auth.createUserTokenClient(claimsIdentity)).toBe(await auth.createUserTokenClient(claimsIdentity));
  });

  it('authenticates every request with the wrapped authentication', async () => {
    const inner = openAuth();
    const spy = vi.spyOn(inner, 'authenticateRequest');
    const auth = new CachingBotFrameworkAuthentication(inner);
    await auth.authenticateRequest(message(), '');
    await auth.authenticateRequest(message(), '');
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('with MicrosoftAppId set, still refuses a missing or forged token after a client was cached', async () => {
    const auth = new CachingBotFrameworkAuthentication(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x' }));
    const ours = new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: APP_ID }], true);
    await auth.createConnectorFactory(ours).create('http://127.0.0.1:9');
    expect(auth.cachedConnectorClients).toBe(1);
    await expect(auth.authenticateRequest(message(), '')).rejects.toBeInstanceOf(AuthenticationError);
    await expect(auth.authenticateRequest(message(), 'Bearer not.a.jwt')).rejects.toThrow();
  });

  it('does not keep a failed client creation', async () => {
    let calls = 0;
    class Flaky extends ConnectorFactory {
      override create(): Promise<ConnectorClient> {
        calls++;
        return calls === 1 ? Promise.reject(new Error('no credentials yet')) : Promise.resolve({} as ConnectorClient);
      }
    }
    const inner = openAuth();
    vi.spyOn(inner, 'createConnectorFactory').mockImplementation(() => new Flaky());
    const auth = new CachingBotFrameworkAuthentication(inner);
    const { claimsIdentity } = await auth.authenticateRequest(message(), '');
    const factory = auth.createConnectorFactory(claimsIdentity);
    await expect(factory.create('http://127.0.0.1:9')).rejects.toThrow('no credentials yet');
    await expect(factory.create('http://127.0.0.1:9')).resolves.toBeDefined();
    expect(calls).toBe(2);
  });

  it('is what the adapter authenticates with', () => {
    const adapter = createAdapter({});
    expect((adapter as unknown as { botFrameworkAuthentication: BotFrameworkAuthentication }).botFrameworkAuthentication).toBeInstanceOf(CachingBotFrameworkAuthentication);
  });
});
