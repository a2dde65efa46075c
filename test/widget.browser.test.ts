import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { startInProcess } from './helpers/http-bot';

const ARTIFACTS = path.join(__dirname, 'artifacts');

let app: App;
let url: string;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-widget-'));
  const started = await startInProcess(dataDir);
  app = started.app;
  url = started.url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Waits until the transcript shows `text` in a bot or user bubble. */
async function seeText(page: Page, text: string): Promise<void> {
  await page.getByText(text, { exact: false }).last().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Taps the suggested action titled `title` (the newest one on screen). */
async function tap(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: title, exact: true }).last().click();
}

/** The suggested action titled `name` (Web Chat's live region holds unseen copies for screen readers). */
function suggested(page: Page, name: string) {
  return page.getByRole('toolbar').getByRole('button', { name, exact: true });
}

/**
 * The send box and the buttons titled `buttons` lie inside the viewport and are not covered by
 * anything (the element at their centre is theirs), and the page itself does not scroll.
 */
async function expectOnScreen(page: Page, buttons: string[]): Promise<void> {
  const targets = [page.getByRole('textbox').last(), ...buttons.map((name) => suggested(page, name))];
  // Web Chat lays out the new buttons a moment after they appear.
  await page.waitForTimeout(300);
  const size = page.viewportSize()!;
  for (const [i, target] of targets.entries()) {
    const box = await target.boundingBox();
    const what = i === 0 ? 'the send box' : `the button "${buttons[i - 1]}"`;
    expect(box, what).not.toBeNull();
    expect([box!.x >= 0, box!.y >= 0, box!.x + box!.width <= size.width, box!.y + box!.height <= size.height], `${what} at ${JSON.stringify(box)} in ${size.width}×${size.height}`).toEqual([true, true, true, true]);
    const own = await target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!hit && (el === hit || el.contains(hit));
    });
    expect(own, `${what} is covered`).toBe(true);
  }
  const page_ = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight }));
  expect(page_.width, 'horizontal scrolling').toBeLessThanOrEqual(size.width);
  expect(page_.height, 'the page scrolls').toBeLessThanOrEqual(size.height);
}

/**
 * From the first frame that shows suggested actions, records on every frame how far the box to
 * write in reaches below the window (0 when it fits): a check after the page settles misses the
 * moment Web Chat still says "Opretter forbindelse" under the first buttons.
 */
async function watchSendBox(page: Page): Promise<() => Promise<number>> {
  await page.addInitScript(() => {
    const seen = window as unknown as { worstOverflow: number };
    seen.worstOverflow = 0;
    const frame = () => {
      const sendBox = document.querySelector('.webchat__send-box');
      if (sendBox && document.querySelector('[role="toolbar"] button')) {
        const below = Math.max(sendBox.getBoundingClientRect().bottom, document.documentElement.scrollHeight) - window.innerHeight;
        seen.worstOverflow = Math.max(seen.worstOverflow, below);
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  return () => page.evaluate(() => (window as unknown as { worstOverflow: number }).worstOverflow);
}

describe('the web widget in a real browser', () => {
  it('walks a whole path with buttons, answers a free-text question, survives a reload and passes axe', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
    });
    await page.goto(url);

    await seeText(page, 'Jeg er MitID-hjælperen');
    await tap(page, 'Hjælp mig med at få MitID');
    // Today Q1 has nothing to decide: one sentence says why, and the passport question follows.
    await seeText(page, 'NemID lukkede endeligt 30. juni 2023');
    await seeText(page, 'pas eller ID-kort med chip');
    await tap(page, 'Ja'); // Q2 → Q3
    await seeText(page, 'smartphone, som kan scanne pas');
    await tap(page, 'Ja'); // Q3 → O2 → T2 → Q4
    await seeText(page, 'Har du en smartphone eller tablet?');
    await tap(page, 'Ja'); // Q4 → O5 → TIP → the plan → end
    await seeText(page, 'Vi anbefaler, at du har et ekstra MitID i reserve');
    await seeText(page, 'Din plan');

    // Free text, typed with the keyboard only.
    const sendBox = page.getByRole('textbox').last();
    await sendBox.focus();
    await page.keyboard.type('kan jeg beholde mit nemid');
    await page.keyboard.press('Enter');
    await seeText(page, 'NemID lukkede endeligt 30. juni 2023');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'widget.png') });

    // A reload goes on with the same conversation.
    await page.reload();
    await seeText(page, 'Vi anbefaler, at du har et ekstra MitID i reserve');
    await page.getByRole('textbox').last().fill('Hjælp mig med at få MitID');
    await page.keyboard.press('Enter');
    await expect.poll(async () => page.getByText('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?').count(), { timeout: 15_000 }).toBeGreaterThan(1);

    // Keyboard focus is visible on the send box.
    await page.getByRole('textbox').last().focus();
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? getComputedStyle(el).outlineStyle : 'none';
    });
    expect(outline).not.toBe('none');

    // axe-core in the page (WCAG 2.1 A and AA rules).
    const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
    });
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  // WCAG 2.1 1.4.10: 1366×768 at 200 % is 683×384 CSS px, at 400 % 341×192; 320 px wide is the reflow width.
  it.each([
    [683, 384],
    [341, 192],
    [320, 480],
  ])('at %i×%i CSS px the box to write in and the buttons are on screen, with no page scrolling', async (width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    const worstOverflow = await watchSendBox(page);
    await page.goto(url);
    await seeText(page, 'Jeg er MitID-hjælperen');
    await suggested(page, 'Tal med en medarbejder').waitFor({ state: 'visible' });
    await expectOnScreen(page, ['Hjælp mig med at få MitID', 'Tal med en medarbejder']);
    expect(await worstOverflow(), 'CSS px the box to write in reached below the window while the chat connected').toBeLessThanOrEqual(0);
    // The guide's first question brings other buttons; they fit as well.
    await tap(page, 'Hjælp mig med at få MitID');
    await suggested(page, 'Ja').waitFor({ state: 'visible', timeout: 15_000 });
    const titles = await page.getByRole('toolbar').getByRole('button').allTextContents();
    expect(titles.length).toBeGreaterThan(1);
    await expectOnScreen(page, titles.map((t) => t.trim()));
    await page.close();
  });

  it('zooming in during the conversation (200 % → 400 %) keeps the box to write in and the buttons on screen', async () => {
    const page = await browser.newPage({ viewport: { width: 683, height: 384 } });
    await page.goto(url);
    await seeText(page, 'Jeg er MitID-hjælperen');
    await suggested(page, 'Tal med en medarbejder').waitFor({ state: 'visible' });
    await page.setViewportSize({ width: 341, height: 192 });
    await expectOnScreen(page, ['Hjælp mig med at få MitID', 'Tal med en medarbejder']);
    await page.close();
  });

  it('the embed snippet adds a launcher that opens the chat panel', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/healthz`); // any same-origin page to host the snippet
    await page.setContent(`<html lang="da"><body><h1>Kommune</h1><script src="${url}/embed.js"></script></body></html>`);
    const launcher = page.getByRole('button', { name: 'Hjælp til MitID' });
    await launcher.focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => page.frameLocator('iframe[title="MitID-hjælperen"]').getByText('Jeg er MitID-hjælperen').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    // Esc inside the chat reaches the host page as a message, a moment later.
    await expect.poll(async () => page.locator('#mitid-hjaelperen-panel').isHidden(), { timeout: 5_000 }).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await page.close();
  });
});
