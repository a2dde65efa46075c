import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { call, DlClient, type ActivitySet, type DlActivity } from './helpers/directline-client';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';
import { CASE_ID_IN_TEXT } from '../src/handoff/case-ids';

const ARTIFACTS = path.join(__dirname, 'artifacts');
const DOCS = path.join(__dirname, '..', 'docs');
const ANNA_PASSWORD = 'en-lang-adgangskode';
const BO_PASSWORD = 'bos-egen-adgangskode';
const SESSION_KEY = 'mitid-hjaelperen:agent';
// Web Chat and the queue (every 4 s) need a moment; a busy CI machine more than that.
const SEE = { timeout: 20_000 };

let server: DirectLineServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-agent-'));
  const accounts = [await hashAgentPassword('anna', ANNA_PASSWORD), await hashAgentPassword('bo', BO_PASSWORD)].join(',');
  server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: accounts });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A page at 1280×800 that records anything the Content-Security-Policy refused. */
async function agentPage(): Promise<{ page: Page; refused: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'da-DK' });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) refused.push(m.text());
  });
  await page.goto(`${server.url}/agent`);
  return { page, refused };
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Brugernavn').fill(username);
  await page.getByLabel('Adgangskode').fill(password);
  await page.getByRole('button', { name: 'Log ind' }).click();
}

/** Waits until the agent's desk chat shows `text`. */
async function chatShows(page: Page, text: string): Promise<void> {
  await page.locator('#webchat').getByText(text, { exact: false }).last().waitFor({ state: 'visible', ...SEE });
}

/** The Web Chat of a case's own tab. */
function caseChat(page: Page, caseId: string) {
  return page.locator(`[data-case-chat="${caseId}"]`);
}

/** Waits until the chat in case `caseId`'s tab shows `text`. */
async function caseChatShows(page: Page, caseId: string, text: string): Promise<void> {
  await caseChat(page, caseId).getByText(text, { exact: false }).last().waitFor({ state: 'visible', ...SEE });
}

/** The queue's card for a case. */
function card(page: Page, caseId: string) {
  return page.locator('#queue-list > li').filter({ has: page.getByRole('heading', { name: `Sag ${caseId}`, exact: true }) });
}

/** Polls a citizen's conversation until `until` holds for what arrived after `watermark`. */
async function citizenSees(client: DlClient, watermark: string | undefined, until: (activities: DlActivity[]) => boolean): Promise<ActivitySet> {
  const deadline = Date.now() + SEE.timeout;
  let collected: DlActivity[] = [];
  let mark = watermark;
  while (Date.now() < deadline) {
    const reply = await client.activities(mark);
    expect(reply.status).toBe(200);
    const set = reply.body as ActivitySet;
    collected = [...collected, ...set.activities];
    mark = set.watermark;
    if (until(collected)) return { activities: collected, watermark: mark };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the citizen never saw it; got ${JSON.stringify(collected.map((a) => a.text))}`);
}

interface Citizen {
  client: DlClient;
  caseId: string;
  watermark: string;
}

/** A citizen on the widget's Direct Line who says `first` (each with the reply awaited), then asks for a person and agrees. */
async function citizenAsksForAPerson(first: Array<[say: string, reply: string]> = []): Promise<Citizen> {
  const client = new DlClient(server.url);
  expect((await client.generate()).status).toBe(200);
  await client.start();
  let watermark: string | undefined;
  let last: DlActivity[] = [];
  const steps: Array<[string, string]> = [...first, ['Tal med en medarbejder', 'Må jeg sende samtalen videre?'], ['Ja, send den videre', 'Din sag har nummer']];
  for (const [say, reply] of steps) {
    expect((await client.post(say)).status).toBe(200);
    const set = await citizenSees(client, watermark, (activities) => activities.some((a) => a.text?.includes(reply)));
    watermark = set.watermark;
    last = set.activities;
  }
  const caseId = last.map((a) => CASE_ID_IN_TEXT.exec(a.text ?? '')?.[0]).find((id) => id !== undefined);
  if (!caseId) throw new Error(`no case id in ${JSON.stringify(last.map((a) => a.text))}`);
  return { client, caseId, watermark: watermark! };
}

async function seriousAxeViolations(page: Page): Promise<string[]> {
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> };
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<Result> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
  });
}

describe('the agent page in a real browser', () => {
  it('shows the error for a wrong password and stays on the sign-in form', { timeout: 60_000 }, async () => {
    const { page, refused } = await agentPage();
    await signIn(page, 'anna', 'ikke-den-rigtige-kode');
    await expect.poll(async () => page.getByRole('alert').filter({ hasText: 'Forkert brugernavn eller adgangskode' }).count(), SEE).toBe(1);
    expect(await page.getByLabel('Adgangskode').isVisible()).toBe(true);
    expect(await page.locator('#desk').isHidden()).toBe(true);
    expect(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY)).toBeNull();
    expect(refused).toEqual([]);
    await page.context().close();
  });

  it('takes a waiting case, chats both ways, notes, passes axe, survives a reload, closes, hands back and signs out', { timeout: 180_000 }, async () => {
    const { page, refused } = await agentPage();
    await signIn(page, 'anna', ANNA_PASSWORD);
    await page.getByRole('heading', { name: 'Kø', exact: true }).waitFor(SEE);
    await chatShows(page, 'Hej Anna');
    await expect.poll(async () => page.locator('#agent-name').textContent(), SEE).toBe('Anna');

    // One citizen went some way in the guide and asked a question first; another asks straight away.
    const first = await citizenAsksForAPerson([
      ['Hjælp mig med at få MitID', 'pas eller ID-kort med chip'],
      ['Ja', 'smartphone, som kan scanne pas'],
      ['Nej', 'Kan du selv komme fysisk i Borgerservice?'],
    ]);
    const second = await citizenAsksForAPerson([['kan jeg beholde mit nemid', 'NemID lukkede endeligt']]);
    server.clock.advance(3 * 60_000);

    const firstCard = card(page, first.caseId);
    await expect.poll(async () => firstCard.textContent(), SEE).toContain('Venter 3 min');
    const firstText = await firstCard.textContent();
    expect(firstText).toContain('Q2 Ja → Q3 Nej → Borgerservice');
    expect(firstText).toContain('borgeren bad om en medarbejder');
    expect(firstText).toContain('Sidst skrev borgeren');
    await expect.poll(async () => page.locator('#queue-count').textContent(), SEE).toContain('2 borgere venter');
    await expect.poll(async () => card(page, second.caseId).textContent(), SEE).toContain('NemID');

    await firstCard.getByRole('button', { name: `Overtag sag ${first.caseId}` }).click();
    // The case gets a tab of its own, shown at once, whose chat starts with the case's summary.
    await page.getByRole('tab', { name: `Sag ${first.caseId}`, selected: true }).waitFor(SEE);
    await caseChatShows(page, first.caseId, `Sag ${first.caseId} · kanal`);
    await caseChatShows(page, first.caseId, 'Forløb i guiden: Q2 Ja → Q3 Nej → Borgerservice');
    await page.getByRole('heading', { name: `Din sag ${first.caseId}` }).waitFor(SEE);
    expect(await page.locator('#case-path').textContent()).toContain('Q2 Ja → Q3 Nej → Borgerservice');
    // Topics by their titles, as in the queue, not the classifier's ids.
    expect(await page.locator('#case-intents').textContent()).not.toMatch(/_/);
    // Taking a case puts the cursor where the agent writes to the citizen.
    await expect.poll(async () => page.evaluate((id) => document.activeElement?.closest(`[data-case-chat="${id}"]`) !== null, first.caseId), SEE).toBe(true);
    let seen = await citizenSees(first.client, first.watermark, (a) => a.some((x) => x.text?.startsWith('Du er nu i kontakt med en medarbejder, Anna')));
    await expect.poll(async () => card(page, first.caseId).textContent(), SEE).toContain('Hos dig');

    // The agent writes in Web Chat; the citizen gets it with the agent's name.
    const sendBox = caseChat(page, first.caseId).getByRole('textbox');
    await sendBox.fill('Hej, jeg hedder Anna. Jeg hjælper dig med at bestille tid i Borgerservice.');
    await sendBox.press('Enter');
    seen = await citizenSees(first.client, seen.watermark, (a) => a.some((x) => x.text === 'Hej, jeg hedder Anna. Jeg hjælper dig med at bestille tid i Borgerservice.'));

    // The citizen answers; the agent sees it in Web Chat.
    expect((await first.client.post('Tak! Skal jeg have mit pas med?')).status).toBe(200);
    await caseChatShows(page, first.caseId, `Borger (${first.caseId}):`);
    await caseChatShows(page, first.caseId, 'Skal jeg have mit pas med?');

    // The other case, taken with the keyboard, gets a second tab; the first tab counts what arrives meanwhile.
    const takeSecond = card(page, second.caseId).getByRole('button', { name: `Overtag sag ${second.caseId}` });
    await takeSecond.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Din sag ${second.caseId}` }).waitFor(SEE);
    expect((await first.client.post('Hallo?')).status).toBe(200);
    await expect.poll(async () => page.getByRole('tab', { name: `Sag ${first.caseId} 1 ny besked` }).count(), SEE).toBe(1);
    await page.getByRole('tab', { name: new RegExp(`^Sag ${first.caseId}`) }).click();
    await page.getByRole('heading', { name: `Din sag ${first.caseId}` }).waitFor(SEE);
    expect((await second.client.post('Jeg venter gerne.')).status).toBe(200);
    await expect.poll(async () => page.getByRole('tab', { name: `Sag ${second.caseId} 1 ny besked` }).count(), SEE).toBe(1);

    // An internal note through the case panel.
    await page.getByLabel('Intern note').fill('Borgeren har intet pas. Henvist til Borgerservice med sundhedskort.');
    await page.getByRole('button', { name: 'Gem note' }).click();
    await expect.poll(async () => page.locator('#notes').textContent(), SEE).toContain('Borgeren har intet pas. Henvist til Borgerservice med sundhedskort.');
    await expect.poll(async () => page.locator('#desk-status').textContent(), SEE).toContain('Noten er gemt');
    await caseChatShows(page, first.caseId, `Intern note gemt på sag ${first.caseId}`);

    // Saving the note scrolled the case panel; the picture shows it from the top.
    await page.locator('#case').evaluate((panel) => panel.scrollTo(0, 0));
    mkdirSync(ARTIFACTS, { recursive: true });
    // The README's picture is refreshed on purpose only (npm run docs:pictures), never by a test run.
    if (process.env.DOCS_PICTURES === '1') await page.screenshot({ path: path.join(DOCS, 'agent.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'agent.png') });

    expect(await seriousAxeViolations(page)).toEqual([]);

    // A reload keeps the agent signed in, with the chat and the case where they were.
    await page.reload();
    await page.getByRole('heading', { name: `Din sag ${first.caseId}` }).waitFor(SEE);
    await caseChatShows(page, first.caseId, 'Skal jeg have mit pas med?');
    expect(await page.locator('#notes').textContent()).toContain('Borgeren har intet pas');
    expect(await page.getByLabel('Brugernavn').isVisible()).toBe(false);

    // Closing: the citizen is asked how satisfied they were; the panel is empty again.
    await page.getByRole('button', { name: 'Luk sag' }).click();
    await page.getByText('Vælg en sag i fanerne over chatten').waitFor(SEE);
    expect(await page.getByRole('tab', { name: `Sag ${first.caseId}` }).count()).toBe(0);
    await citizenSees(first.client, seen.watermark, (a) => a.some((x) => x.text?.startsWith('Hvor tilfreds er du med hjælpen?')));
    await expect.poll(async () => card(page, first.caseId).count(), SEE).toBe(0);

    // Handing the other case back to the bot, from its tab chosen with the keyboard.
    await page.getByRole('tab', { name: 'Skrivebord' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: new RegExp(`^Sag ${second.caseId}`) }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('heading', { name: `Din sag ${second.caseId}` }).waitFor(SEE);
    await page.getByRole('button', { name: 'Giv tilbage til botten' }).click();
    await page.getByText('Du har ingen sag lige nu').waitFor(SEE);
    await citizenSees(second.client, second.watermark, (a) => a.some((x) => x.text?.startsWith('Anna har givet samtalen tilbage til mig')));
    await expect.poll(async () => page.locator('#queue-count').textContent(), SEE).toContain('Ingen borgere venter');

    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.getByLabel('Brugernavn').waitFor(SEE);
    expect(await page.getByRole('status').filter({ hasText: 'Du er logget ud' }).count()).toBe(1);
    expect(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY)).toBeNull();
    await page.reload();
    await page.getByLabel('Brugernavn').waitFor(SEE);
    expect(await page.locator('#desk').isHidden()).toBe(true);
    expect(refused).toEqual([]);
    await page.context().close();
  });

  it('tells the second agent that a case was taken, and a dead token leads back to sign-in', { timeout: 90_000 }, async () => {
    const citizen = await citizenAsksForAPerson();
    const { page } = await agentPage();
    // Bo's queue stays as it first was, so his click lands on a case Anna has just taken.
    let stale: string | undefined;
    await page.route('**/agent/api/desk', async (route) => {
      if (stale) return route.fulfill({ status: 200, contentType: 'application/json', body: stale });
      const response = await route.fetch();
      const body = await response.text();
      if ((JSON.parse(body) as { cases: Array<{ id: string }> }).cases.some((c) => c.id === citizen.caseId)) stale = body;
      await route.fulfill({ response, body });
    });
    await signIn(page, 'bo', BO_PASSWORD);
    const take = card(page, citizen.caseId).getByRole('button', { name: `Overtag sag ${citizen.caseId}` });
    await take.waitFor(SEE);

    const anna = await call(`${server.url}/agent/api/login`, { method: 'POST', body: { username: 'anna', password: ANNA_PASSWORD } });
    expect(anna.status).toBe(200);
    const annaToken = (anna.body as { token: string }).token;
    expect((await call(`${server.url}/agent/api/cases/${citizen.caseId}/take`, { method: 'POST', token: annaToken })).status).toBe(200);

    await take.click();
    // A case another agent has is not hers to read: it answers as one that is not open (ids cannot be probed).
    await expect.poll(async () => page.locator('#queue-error').textContent(), SEE).toContain('Sagen findes ikke eller er ikke åben');
    expect(await page.getByRole('tab', { name: `Sag ${citizen.caseId}` }).count()).toBe(0);
    expect(await page.locator('#case-none').isVisible()).toBe(true);

    // A token the server no longer accepts (here: tampered with) sends the agent back to sign-in.
    await page.unroute('**/agent/api/desk');
    await page.evaluate((key) => {
      const saved = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { token: string };
      sessionStorage.setItem(key, JSON.stringify({ ...saved, token: `${saved.token.slice(0, -4)}AAAA` }));
    }, SESSION_KEY);
    await page.reload();
    await page.getByLabel('Brugernavn').waitFor(SEE);
    await expect.poll(async () => page.locator('#login-error').textContent(), SEE).toContain('Log ind igen');
    expect(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY)).toBeNull();

    await call(`${server.url}/agent/api/cases/${citizen.caseId}/close`, { method: 'POST', token: annaToken });
    await page.context().close();
  });
});
