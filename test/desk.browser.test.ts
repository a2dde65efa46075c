import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAgentPassword } from '../src/config/agent-accounts';
import type { ActivitySet } from './helpers/directline-client';
import { launchChromium } from './helpers/browser';
import { citizenJoins, escalates, PASSWORD, type Side } from './helpers/desk-client';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';
import { TestOidcProvider } from './helpers/oidc-provider';

const ARTIFACTS = path.join(__dirname, 'artifacts');
// Web Chat and the desk's look at the server (every 4 s) need a moment; a busy CI machine more than that.
const SEE = { timeout: 20_000 };
// What a citizen may type to try to get markup into an agent's view.
const HOSTILE = '<img src=x onerror="window.__pwned=1"> <h1>Stor overskrift</h1> [klik her](https://evil.example/)';

let server: DirectLineServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-desk-browser-'));
  const accounts = [await hashAgentPassword('anna', PASSWORD), await hashAgentPassword('bo', PASSWORD)].join(',');
  server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: accounts, AGENT_MAX_CHATS: '3' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The browser's Notification and AudioContext, recorded: headless chromium shows no notifications
 * and plays no sound, so the page's calls to these browser APIs are what the test can see.
 */
function recordAlerts(): void {
  const record = { asked: 0, shown: [] as Array<{ title: string; body: string }>, beeps: 0 };
  (window as unknown as { __alerts: typeof record }).__alerts = record;
  class RecordedNotification {
    static permission = 'default';
    static requestPermission(): Promise<string> {
      record.asked++;
      RecordedNotification.permission = 'granted';
      return Promise.resolve('granted');
    }
    onclick: unknown = null;
    constructor(title: string, options?: { body?: string }) {
      record.shown.push({ title, body: options?.body ?? '' });
    }
  }
  Object.defineProperty(window, 'Notification', { value: RecordedNotification, configurable: true, writable: true });
  const RealAudio = window.AudioContext;
  class RecordedAudio extends RealAudio {
    override createOscillator(): OscillatorNode {
      record.beeps++;
      return super.createOscillator();
    }
  }
  Object.defineProperty(window, 'AudioContext', { value: RecordedAudio, configurable: true, writable: true });
}

interface Alerts {
  asked: number;
  shown: Array<{ title: string; body: string }>;
  beeps: number;
}

const alertsOf = (page: Page): Promise<Alerts> => page.evaluate(() => (window as unknown as { __alerts: Alerts }).__alerts);

/** An agent signed in on the desk, in a browser context of her own. */
async function agentOnDesk(username: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'da-DK' });
  await context.addInitScript(recordAlerts);
  const page = await context.newPage();
  await page.goto(`${server.url}/agent`);
  await page.getByLabel('Brugernavn').fill(username);
  await page.getByLabel('Adgangskode').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await expect.poll(async () => page.locator('#agent-name').textContent(), SEE).toBe(name);
  await page.locator('#webchat').getByText(`Hej ${name}`, { exact: false }).first().waitFor(SEE);
  return page;
}

const caseTab = (page: Page, caseId: string) => page.getByRole('tab', { name: new RegExp(`^Sag ${caseId}`) });
const caseChat = (page: Page, caseId: string) => page.locator(`[data-case-chat="${caseId}"]`);
const card = (page: Page, caseId: string) => page.locator('#queue-list > li').filter({ has: page.getByRole('heading', { name: `Sag ${caseId}`, exact: true }) });

async function takes(page: Page, caseId: string): Promise<void> {
  await card(page, caseId).getByRole('button', { name: `Overtag sag ${caseId}` }).click();
  await page.getByRole('tab', { name: new RegExp(`^Sag ${caseId}`), selected: true }).waitFor(SEE);
  await caseChat(page, caseId).getByText(`Sag ${caseId} · kanal`, { exact: false }).first().waitFor(SEE);
}

/** What came to a citizen since her last expect, typing included. */
async function citizenGot(citizen: Side): Promise<ActivitySet['activities']> {
  return ((await citizen.client.activities(citizen.watermark)).body as ActivitySet).activities;
}

/** Nothing a citizen typed became markup anywhere on the page. */
async function noCitizenMarkup(page: Page): Promise<void> {
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator('a[href^="https://evil.example"]').count()).toBe(0);
  expect(await page.locator('h1').allTextContents()).toEqual(['MitID-hjælperen']);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
}

describe('the desk with two agents and three citizens', () => {
  it('several case tabs with unread counts, typing, canned replies, a transfer, notifications, presence, history and scores', { timeout: 240_000 }, async () => {
    const anna = await agentOnDesk('anna', 'Anna');
    const bo = await agentOnDesk('bo', 'Bo');

    // Anna opts in to sound and desktop notifications; the browser is asked for permission only now.
    expect((await alertsOf(anna)).asked).toBe(0);
    await anna.getByLabel('Skrivebordsnotifikation').check();
    await anna.getByLabel('Lyd').check();
    await expect.poll(async () => (await alertsOf(anna)).asked, SEE).toBe(1);
    expect(await anna.getByLabel('Skrivebordsnotifikation').isChecked()).toBe(true);
    const beepsBefore = (await alertsOf(anna)).beeps;

    // The first citizen writes markup before she asks for a person.
    const first = await citizenJoins(server);
    await first.say(HOSTILE);
    const firstId = await escalates(first);
    await expect.poll(async () => (await alertsOf(anna)).shown.map((n) => `${n.title}: ${n.body}`), SEE).toEqual([expect.stringMatching(new RegExp(`^Ny borger i køen: Sag ${firstId}`))]);
    expect((await alertsOf(anna)).beeps).toBeGreaterThan(beepsBefore);
    await expect.poll(async () => anna.title(), SEE).toMatch(/^\(1\)/);
    await expect.poll(async () => card(anna, firstId).textContent(), SEE).toContain(HOSTILE);
    await noCitizenMarkup(anna);

    const second = await citizenJoins(server);
    const secondId = await escalates(second);
    await expect.poll(async () => (await alertsOf(anna)).shown.length, SEE).toBe(2);

    // Two cases, two tabs: the one not shown counts what arrives in it.
    await takes(anna, firstId);
    await takes(anna, secondId);
    expect(await caseTab(anna, firstId).getAttribute('aria-selected')).toBe('false');
    await first.say('Hvornår kommer kodeviseren?');
    await expect.poll(async () => caseTab(anna, firstId).textContent(), SEE).toContain('1 ny besked');
    await first.say('Er der nogen?');
    await expect.poll(async () => caseTab(anna, firstId).textContent(), SEE).toContain('2 nye beskeder');
    expect(await caseTab(anna, secondId).textContent()).not.toContain(' ny');

    // The second citizen types: Anna sees it in that case's tab; Anna types: the citizen sees her name.
    expect((await second.client.post('', { type: 'typing' })).status).toBe(200);
    await caseChat(anna, secondId).locator('xpath=..').getByText('Borgeren skriver …').waitFor(SEE);
    await caseChat(anna, secondId).getByRole('textbox').pressSequentially('Et øjeblik', { delay: 30 });
    await expect.poll(async () => (await citizenGot(second)).some((a) => a.type === 'typing' && JSON.stringify(a.channelData ?? {}).includes('"name":"Anna"')), SEE).toBe(true);
    await caseChat(anna, secondId).getByRole('textbox').fill('');

    // Back to the first tab: the count goes, the case panel shows that case, the markup is text everywhere.
    await caseTab(anna, firstId).click();
    await expect.poll(async () => caseTab(anna, firstId).textContent(), SEE).not.toContain(' ny');
    await anna.getByRole('heading', { name: `Din sag ${firstId}` }).waitFor(SEE);
    await caseChat(anna, firstId).getByText('Hvornår kommer kodeviseren?', { exact: false }).first().waitFor(SEE);
    await caseChat(anna, firstId).getByText(HOSTILE, { exact: false }).first().waitFor(SEE);
    expect(await anna.locator('#transcript').textContent()).toContain(HOSTILE);
    await noCitizenMarkup(anna);

    // A canned reply goes into this case's send box; Anna sends it herself.
    await anna.getByRole('button', { name: /^Kodeviser/ }).click();
    const box = caseChat(anna, firstId).getByRole('textbox');
    await expect.poll(async () => box.inputValue(), SEE).toContain('Leveringstiden er 7-15 hverdage');
    await expect.poll(async () => anna.evaluate((id) => document.activeElement?.closest(`[data-case-chat="${id}"]`) !== null, firstId), SEE).toBe(true);
    await box.press('Enter');
    await first.expectFromAgent('Anna', 'Du kan bestille en MitID kodeviser eller kodeoplæser. Leveringstiden er 7-15 hverdage.');

    // Anna passes the second case to Bo with a note: her tab goes, Bo gets one, and the citizen is told.
    await caseTab(anna, secondId).click();
    await anna.getByRole('heading', { name: `Din sag ${secondId}` }).waitFor(SEE);
    await anna.getByRole('button', { name: 'Send videre' }).first().click();
    const dialog = anna.locator('#transfer-dialog');
    await dialog.getByRole('heading', { name: `Send sag ${secondId} videre` }).waitFor(SEE);
    await dialog.getByRole('radio', { name: /^Bo/ }).check();
    await dialog.getByLabel('Note til den, der får sagen').fill('Borgeren spørger om pas. Bo kender reglerne.');
    await dialog.getByRole('button', { name: 'Send videre' }).click();
    await expect.poll(async () => caseTab(anna, secondId).count(), SEE).toBe(0);
    await expect.poll(async () => anna.locator('#desk-status').textContent(), SEE).toContain(`Sag ${secondId} er sendt videre til Bo`);
    await second.expect('Du får nu hjælp af Bo');
    await caseTab(bo, secondId).waitFor(SEE);
    await bo.locator('#webchat').getByText(`Anna har givet dig sag ${secondId}`, { exact: false }).first().waitFor(SEE);
    await caseTab(bo, secondId).click();
    await bo.getByRole('heading', { name: `Din sag ${secondId}` }).waitFor(SEE);
    await expect.poll(async () => bo.locator('#notes').textContent(), SEE).toContain('Bo kender reglerne');

    // Away, Anna gets no notification of the third citizen; Bo takes her.
    await anna.getByRole('button', { name: 'Status: Ledig' }).click();
    await anna.getByRole('button', { name: 'Status: Væk' }).waitFor(SEE);
    const third = await citizenJoins(server);
    const thirdId = await escalates(third);
    await card(anna, thirdId).waitFor(SEE);
    expect((await alertsOf(anna)).shown).toHaveLength(2);
    await takes(bo, thirdId);
    await anna.getByRole('button', { name: 'Status: Væk' }).click();
    await anna.getByRole('button', { name: 'Status: Ledig' }).waitFor(SEE);

    // The first citizen writes markup once more, Anna closes the case, the citizen rates it.
    await caseTab(anna, firstId).click();
    const shownTimes = async () => (await caseChat(anna, firstId).innerText()).split(HOSTILE).length - 1;
    const before = await shownTimes();
    await first.say(HOSTILE);
    await expect.poll(shownTimes, SEE).toBeGreaterThan(before);
    await anna.getByRole('button', { name: 'Luk sag' }).click();
    await expect.poll(async () => caseTab(anna, firstId).count(), SEE).toBe(0);
    await first.expect('Hvor tilfreds er du');
    await first.say('4');
    await first.expect('Tak for dit svar');

    // History finds the closed case by a word the citizen wrote; her markup is text there too.
    await anna.getByRole('tab', { name: 'Historik' }).click();
    await anna.getByLabel('Ord i sagen').fill('kodeviseren');
    await anna.getByRole('button', { name: 'Søg' }).click();
    await expect.poll(async () => anna.locator('#history-count').textContent(), SEE).toBe('1 sag fundet');
    mkdirSync(ARTIFACTS, { recursive: true });
    await anna.screenshot({ path: path.join(ARTIFACTS, 'desk-history.png') });
    const found = anna.locator('#history-list > li');
    expect(await found.getByRole('heading').textContent()).toBe(`Sag ${firstId}`);
    expect(await found.textContent()).toContain('Tilfredshed: 4 af 5');
    expect(await found.textContent()).toContain(HOSTILE);
    await noCitizenMarkup(anna);
    await anna.getByLabel('Ord i sagen').fill('flødebolle');
    await anna.getByRole('button', { name: 'Søg' }).click();
    await expect.poll(async () => anna.locator('#history-count').textContent(), SEE).toBe('Ingen afsluttede sager passer til søgningen.');

    // Scores: Anna's own line and all cases.
    await anna.getByRole('tab', { name: 'Tilfredshed' }).click();
    await expect.poll(async () => anna.locator('#scores-body').innerText(), SEE).toMatch(/Anna\s+4\s+1 vurderinger · 1 lukkede sager/);
    expect(await anna.locator('#scores-body').innerText()).toMatch(/Alle\s+4\s+1 vurderinger/);

    await anna.context().close();
    await bo.context().close();
  });
});

describe('a desk kept open for hours', () => {
  it('fetches a new token before the old one runs out, and the new one works', { timeout: 60_000 }, async () => {
    const page = await agentOnDesk('bo', 'Bo');
    const key = 'mitid-hjaelperen:agent';
    const saved = async () => page.evaluate((k) => JSON.parse(sessionStorage.getItem(k) ?? '{}') as { token: string; expiresAt: number }, key);
    const before = await saved();
    // As if the token had only 40 seconds left: the page asks for a new one in a few seconds.
    await page.evaluate((k) => {
      const session = JSON.parse(sessionStorage.getItem(k) ?? '{}') as { expiresAt: number };
      sessionStorage.setItem(k, JSON.stringify({ ...session, expiresAt: Date.now() + 40_000 }));
    }, key);
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/agent/api/tokens/refresh') && r.status() === 200, SEE);
    await page.reload();
    const answer = (await (await refreshed).json()) as { token: string; expires_in: number };
    // (The test server's clock stands still, so the new token may read as the old one.)
    await expect.poll(async () => (await saved()).expiresAt, SEE).toBeGreaterThan(Date.now() + 60_000);
    const after = await saved();
    expect(after.token).toBe(answer.token);
    expect(before.token).toBeTruthy();
    const res = await fetch(`${server.url}/agent/api/desk`, { headers: { authorization: `Bearer ${after.token}` } });
    expect(res.status).toBe(200);
    await page.context().close();
  });
});

/** A port nothing listens on (for a moment at least): the provider must know the desk's redirect URI before the desk starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('signing in with the municipality’s provider on the sign-in page', () => {
  const DESK_GROUP = '5b0c9a7e-0000-4000-8000-0000000de5c0';
  let provider: TestOidcProvider;
  let desk: DirectLineServer;
  let deskData: string;

  beforeAll(async () => {
    const port = await freePort();
    provider = await new TestOidcProvider({
      redirectUri: `http://127.0.0.1:${port}/agent/oidc/callback`,
      accounts: [
        { sub: 'sub-anna', claims: { name: 'Anna Andersen', preferred_username: 'anna@kommune.dk', oid: 'oid-anna', groups: [DESK_GROUP] } },
        { sub: 'sub-eve', claims: { name: 'Eve', preferred_username: 'eve@kommune.dk', oid: 'oid-eve', groups: ['andre'] } },
      ],
    }).start();
    deskData = mkdtempSync(path.join(os.tmpdir(), 'mitid-desk-oidc-'));
    desk = await startDirectLine(deskData, {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_ALLOWED_GROUPS: DESK_GROUP,
      OIDC_PROVIDER_NAME: 'Testkommune',
    });
  });

  afterAll(async () => {
    await desk?.close();
    if (deskData) rmSync(deskData, { recursive: true, force: true });
    expect(provider.serverErrors).toEqual([]);
    await provider?.close();
  });

  /** From the desk's button through the provider's own login form, as `account`. */
  async function throughProvider(account: string): Promise<Page> {
    const page = await (await browser.newContext({ locale: 'da-DK' })).newPage();
    await page.goto(`${desk.url}/agent`);
    // No local accounts here: the provider's button is the only way in.
    await page.getByRole('link', { name: 'Log ind med Testkommune' }).waitFor(SEE);
    expect(await page.getByLabel('Brugernavn').isVisible()).toBe(false);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'desk-sign-in.png') });
    await page.getByRole('link', { name: 'Log ind med Testkommune' }).click();
    await page.locator('input[name="account"]').fill(account);
    await page.getByRole('button', { name: 'Log ind' }).click();
    return page;
  }

  it('a member of the desk’s group gets the desk; the one-time code leaves the address bar', { timeout: 60_000 }, async () => {
    const page = await throughProvider('sub-anna');
    await expect.poll(async () => page.locator('#agent-name').textContent(), SEE).toBe('Anna Andersen');
    await page.getByRole('heading', { name: 'Kø', exact: true }).waitFor(SEE);
    expect(new URL(page.url()).hash).toBe('');
    expect(page.url()).toBe(`${desk.url}/agent`);
    await page.context().close();
  });

  it('someone outside the group is told in words and stays on the sign-in page', { timeout: 60_000 }, async () => {
    const page = await throughProvider('sub-eve');
    await expect.poll(async () => page.locator('#login-error').textContent(), SEE).toContain('Du har ikke adgang til medarbejdersiden');
    expect(await page.locator('#desk').isHidden()).toBe(true);
    expect(new URL(page.url()).hash).toBe('');
    await page.context().close();
  });
});
