import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { call, DlClient } from './helpers/directline-client';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';
import { ROOT } from './helpers/http-bot';

const PASSWORD = 'en-lang-adgangskode';

/** Markup a person (or an agent) might type; none of it may become an element or run. */
const HOSTILE = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '[klik her](javascript:window.__xss=3)',
  '<iframe src="javascript:window.__xss=4"></iframe>',
  '<a href="javascript:window.__xss=5">link</a>',
  '<svg onload="window.__xss=6"></svg>',
];

describe('our own scripts never write HTML', () => {
  it('no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval in web/', () => {
    const dir = path.join(ROOT, 'web');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files).toContain(path.join('agent', 'queue.js'));
    for (const file of files) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\s*\(|new Function\s*\(/);
    }
  });
});

let server: DirectLineServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDirectLine(mkdtempSync(path.join(os.tmpdir(), 'mitid-xss-')), { AGENT_ACCOUNTS: await hashAgentPassword('anna', PASSWORD) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('text from people is never rendered as HTML in the widget', () => {
  it("the citizen's own markup and an agent's markup (shown under her name, through Web Chat's markdown) create no elements and run nothing", async () => {
    const login = await call(`${server.url}/agent/api/login`, { method: 'POST', body: { username: 'anna', password: PASSWORD } });
    const { token, conversationId } = login.body as { token: string; conversationId: string };
    const agent = new DlClient(server.url, token, conversationId);
    await agent.start();

    const page = await browser.newPage();
    await page.goto(server.url);
    const box = page.getByRole('textbox').last();
    const say = async (text: string) => {
      await box.fill(text);
      await box.press('Enter');
    };
    await page.getByText('Jeg er MitID-hjælperen').first().waitFor({ timeout: 15_000 });
    for (const text of HOSTILE) await say(text);
    await say('Tal med en medarbejder');
    await page.getByRole('button', { name: 'Ja, send den videre', exact: true }).last().click();
    await page.getByText('Din sag har nummer').last().waitFor({ timeout: 15_000 });

    const queue = await call(`${server.url}/agent/api/queue`, { token });
    const caseId = (queue.body as { cases: Array<{ id: string }> }).cases[0]!.id;
    expect((await call(`${server.url}/agent/api/cases/${caseId}/take`, { method: 'POST', token, body: {} })).status).toBe(200);
    for (const text of HOSTILE) expect((await agent.post(text)).status).toBe(200);
    await agent.post('Det var det hele');
    await page.getByText('Det var det hele').last().waitFor({ timeout: 15_000 });

    // Web Chat renders the bot's side (here the agent's lines) as markdown through a sanitiser that
    // drops scripts and handlers but keeps e.g. <img src>; relayed lines are therefore escaped.
    // The citizen's own lines are plain text.
    const found = await page.evaluate(() => ({
      ran: (window as unknown as { __xss?: number }).__xss,
      images: document.querySelectorAll('img[src="x"], img[onerror]').length,
      // The page's texts come as a JSON block, which is data, never run.
      scripts: Array.from(document.querySelectorAll('script')).filter((s) => !s.src && s.type !== 'application/json').length,
      textBlocks: document.querySelectorAll('script[type="application/json"]').length,
      frames: document.querySelectorAll('iframe, svg[onload]').length,
      jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
      shownAsText: document.body.innerText.includes('<script>window.__xss=2</script>'),
      // An agent's lines sit in their own block under her name (web/widget/agent-lines.js).
      agentShownAsText: ((agentText) => agentText.includes('<script>window.__xss=2</script>') && agentText.includes('<img src=x'))(
        Array.from(document.querySelectorAll('.agent-line')).map((line) => (line as HTMLElement).innerText).join('\n'),
      ),
    }));
    expect(found).toEqual({ ran: undefined, images: 0, scripts: 0, textBlocks: 1, frames: 0, jsLinks: 0, shownAsText: true, agentShownAsText: true });
    await page.close();
  });
});
