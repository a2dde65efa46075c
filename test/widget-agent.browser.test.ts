import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { CASE_ID_IN_TEXT } from '../src/handoff/case-ids';
import { launchChromium } from './helpers/browser';
import { DlClient, type ActivitySet } from './helpers/directline-client';
import { agentApi, agentSignsIn, PASSWORD, Side } from './helpers/desk-client';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';

const ARTIFACTS = path.join(__dirname, 'artifacts');
const SEE = { timeout: 20_000 };
// "anna.jensen" signs in as "Anna Jensen" (the account's display name); her avatar reads "AJ".
const AGENT = 'anna.jensen';
const NAME = 'Anna Jensen';

let server: DirectLineServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-widget-agent-'));
  server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: await hashAgentPassword(AGENT, PASSWORD) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The transcript's row (one activity) that shows `text`. */
function row(page: Page, text: string): Locator {
  return page.locator('.webchat__basic-transcript__activity').filter({ hasText: text }).last();
}

async function tap(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: title, exact: true }).last().click();
}

/** The citizen asks for a person with the widget's buttons; returns the case id the widget shows. */
async function escalateInWidget(page: Page): Promise<string> {
  await page.getByText('Jeg er MitID-hjælperen').last().waitFor(SEE);
  await tap(page, 'Tal med en medarbejder');
  await page.getByText('Må jeg sende samtalen videre?').last().waitFor(SEE);
  await tap(page, 'Ja, send den videre');
  const said = row(page, 'Din sag har nummer');
  await said.waitFor(SEE);
  return CASE_ID_IN_TEXT.exec((await said.textContent()) ?? '')![0];
}

/** Anna takes the case and opens its chat on the desk, as the agent page does. */
async function annaTakes(caseId: string): Promise<{ chat: DlClient; tab: Side }> {
  const anna = await agentSignsIn(server, AGENT);
  expect((await agentApi(server, anna.token, `/cases/${caseId}/take`, {})).status).toBe(200);
  const access = (await agentApi(server, anna.token, `/cases/${caseId}/chat`, {})).body as { token: string; conversationId: string };
  const chat = new DlClient(server.url, access.token, access.conversationId);
  expect([200, 201]).toContain((await chat.start()).status);
  const tab = new Side(chat);
  await tab.expect(`Sag ${caseId}`);
  return { chat, tab };
}

describe('the citizen sees who writes: an agent in the widget', () => {
  it('her lines carry her name and her own avatar; the bot keeps "MH"; a screen reader hears her name too', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    await page.goto(server.url);
    const caseId = await escalateInWidget(page);
    const { tab } = await annaTakes(caseId);
    await page.getByText('Du er nu i kontakt med en medarbejder').last().waitFor(SEE);

    await tab.say('Hej, jeg hedder Anna. Hvordan kan jeg hjælpe?');
    await tab.say('Jeg kigger på din sag.');
    const first = row(page, 'Hej, jeg hedder Anna');
    await first.waitFor(SEE);
    await row(page, 'Jeg kigger på din sag.').waitFor(SEE);

    // Her first line: her name as text and her initials, not the bot's avatar.
    await expect.poll(() => first.locator('.agent-name').textContent(), SEE).toBe(`${NAME} (medarbejder)`);
    expect(await first.locator('.agent-avatar').textContent()).toBe('AJ');
    expect(await first.locator('.webchat__defaultAvatar').count()).toBe(0);
    expect(await page.getByText(`${NAME} (medarbejder)`, { exact: true }).first().isVisible()).toBe(true);
    // Her second line follows under the same name: no second label, no bot avatar.
    const second = row(page, 'Jeg kigger på din sag.');
    expect(await second.locator('.agent-name').count()).toBe(0);
    expect(await second.locator('.webchat__defaultAvatar').count()).toBe(0);
    // The avatars differ in colour, not only in letters.
    const colours = await page.evaluate(() => {
      const agent = document.querySelector('.agent-avatar');
      const bot = document.querySelector('.webchat__defaultAvatar .webchat__initialsAvatar, .webchat__defaultAvatar');
      return [agent, bot].map((el) => (el ? getComputedStyle(el).backgroundColor : 'none'));
    });
    expect(colours[0]).not.toBe(colours[1]);

    // The bot's lines before and after her keep "MH" and carry no agent name.
    const welcome = row(page, 'Jeg er MitID-hjælperen');
    expect(await welcome.locator('.webchat__defaultAvatar').textContent()).toContain('MH');
    expect(await welcome.locator('.agent-name, .agent-avatar').count()).toBe(0);
    // Screen readers: Web Chat's live region reads the line with her name.
    await expect
      .poll(() => page.evaluate(() => Array.from(document.querySelectorAll('[aria-live]'), (el) => el.textContent ?? '').join('\n')), SEE)
      .toContain(`Medarbejderen ${NAME} skriver: Hej, jeg hedder Anna. Hvordan kan jeg hjælpe?`);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'widget-agent.png') });
    // Her name and avatar pass axe (contrast among others) like the rest of the widget.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
    });
    expect(violations).toEqual([]);

    // Back to the bot: the bot's next line, right after hers, has the bot's avatar again.
    await tab.say('/tilbage');
    const handedBack = row(page, 'har givet samtalen tilbage til mig');
    await handedBack.waitFor(SEE);
    expect(await handedBack.locator('.webchat__defaultAvatar').textContent()).toContain('MH');
    expect(await handedBack.locator('.agent-avatar, .agent-name').count()).toBe(0);
    await page.close();
  });

  it("typing both ways: the agent's typing shows with her name; the citizen's typing reaches her case chat", async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    await page.goto(server.url);
    const caseId = await escalateInWidget(page);
    const { chat, tab } = await annaTakes(caseId);
    await page.getByText('Du er nu i kontakt med en medarbejder').last().waitFor(SEE);

    // Nothing shows her typing before she types.
    expect(await page.locator('.agent-typing').count()).toBe(0);
    expect((await chat.post('', { type: 'typing' })).status).toBe(200);
    const typing = page.locator('.agent-typing');
    await typing.waitFor({ state: 'visible', ...SEE });
    expect(await typing.textContent()).toContain(`${NAME} skriver …`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'widget-agent-typing.png') });
    // Her message ends the indicator.
    await tab.say('Her er svaret.');
    await row(page, 'Her er svaret.').waitFor(SEE);
    await expect.poll(() => page.locator('.agent-typing').count(), SEE).toBe(0);

    // The citizen types (without sending): the case chat gets a typing activity.
    const box = page.getByRole('textbox').last();
    await box.focus();
    await page.keyboard.type('Jeg har et spørgsmål', { delay: 30 });
    await expect
      .poll(async () => ((await chat.activities(tab.watermark)).body as ActivitySet).activities.some((a) => a.type === 'typing'), SEE)
      .toBe(true);
    await page.close();
  });
});
