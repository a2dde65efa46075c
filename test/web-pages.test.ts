import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import restify from 'restify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageTextsSchema } from '../src/content/page-texts';
import { jsonForHtml, readWebFiles, TEXTS_BLOCK, TEXTS_LITERAL } from '../src/http/web-files';
import { registerWidgetRoutes } from '../src/http/widget-routes';
import { content } from './helpers/bot-harness';
import { ROOT } from './helpers/http-bot';

const WEB = path.join(ROOT, 'web');
const texts = content.pages;

let server: restify.Server;
let url: string;

beforeAll(async () => {
  server = restify.createServer();
  registerWidgetRoutes(server, { webDir: WEB, allowedOrigins: [], texts });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.close();
});

/** The JSON block a served page carries its texts in. */
function textsBlock(html: string): unknown {
  const found = /<script type="application\/json" id="page-texts">([^<]*)<\/script>/.exec(html);
  if (!found) throw new Error('no texts block in the page');
  return JSON.parse(found[1]!) as unknown;
}

/** Every file under web/ with one of `extensions`, as a path relative to web/ with forward slashes. */
function webFiles(...extensions: string[]): string[] {
  return readdirSync(WEB, { recursive: true, encoding: 'utf8' })
    .filter((file) => extensions.some((ext) => file.endsWith(ext)))
    .map((file) => file.split(path.sep).join('/'));
}

describe('the pages get their texts from content', () => {
  it('the agent page and the widget page each carry their part of dialogs/pages.yaml, the embed snippet its own', async () => {
    expect(textsBlock(await (await fetch(`${url}/agent`)).text())).toEqual(texts.agent);
    expect(textsBlock(await (await fetch(`${url}/`)).text())).toEqual(texts.widget);
    const embed = await (await fetch(`${url}/embed.js`)).text();
    expect(embed).not.toContain(TEXTS_LITERAL);
    expect(embed).toContain(`const text = ${JSON.stringify(texts.embed)};`);
  });

  it('every text a script reads is in the content', () => {
    // `t` is the agent page's texts, `texts` the widget's, `text` the embed snippet's; a file name ("./shared/texts.js") is none.
    const read = (files: string[], pattern: RegExp) => files.flatMap((file) => [...readFileSync(path.join(WEB, file), 'utf8').matchAll(pattern)].map((m) => m.slice(1).join('.')));
    const has = (root: object, dotted: string) => dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root) !== undefined;
    const agent = read(['agent.js', ...webFiles('.js').filter((f) => f.startsWith('agent/'))], /(?<![\w/.])t\.(\w+)\.(\w+)/g);
    const widget = read(['widget.js', ...webFiles('.js').filter((f) => f.startsWith('widget/'))], /(?<![\w/.])texts\.(\w+)/g);
    const embed = read(['embed.js'], /(?<![\w/.])text\.(\w+)/g);
    expect(agent.length).toBeGreaterThan(40);
    expect(widget).toContain('busy');
    expect(embed).toContain('open');
    expect([...agent.filter((key) => !has(texts.agent, key)), ...widget.filter((key) => !has(texts.widget, key)), ...embed.filter((key) => !has(texts.embed, key))]).toEqual([]);
  });

  it('a text in a page cannot end its JSON block', () => {
    const hostile = { a: '</script><script>alert(1)</script>', b: '<!-- x -->', c: 'a & b' };
    const json = jsonForHtml(hostile);
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json)).toEqual(hostile);
  });

  it('a page or snippet without its place for the texts stops the start-up', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-web-'));
    try {
      cpSync(WEB, dir, { recursive: true });
      writeFileSync(path.join(dir, 'agent.html'), readFileSync(path.join(WEB, 'agent.html'), 'utf8').replace(TEXTS_BLOCK, ''));
      expect(() => readWebFiles(dir, texts)).toThrow(/agent\.html must hold/);
      cpSync(path.join(WEB, 'agent.html'), path.join(dir, 'agent.html'));
      writeFileSync(path.join(dir, 'embed.js'), `${readFileSync(path.join(WEB, 'embed.js'), 'utf8')}\n${TEXTS_LITERAL}\n`);
      expect(() => readWebFiles(dir, texts)).toThrow(/embed\.js must hold .* exactly once/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the page scripts and styles', () => {
  it('every .js and .css under web/ is served at its path, typed, revalidated, and a copy the browser has gets a 304', async () => {
    const files = webFiles('.js', '.css');
    expect(files).toEqual(expect.arrayContaining(['agent.js', 'agent/queue.js', 'shared/session.js', 'widget/tokens.js', 'widget.css']));
    for (const file of files) {
      const res = await fetch(`${url}/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(res.headers.get('cache-control'), file).toBe(file === 'embed.js' ? 'public, max-age=300' : 'no-cache');
      const etag = res.headers.get('etag');
      expect(etag, file).toMatch(/^"[\w-]+"$/);
      await res.arrayBuffer();
      const again = await fetch(`${url}/${file}`, { headers: { 'if-none-match': `"other", ${etag}` } });
      expect(again.status, file).toBe(304);
      expect(await again.text(), file).toBe('');
    }
    const changed = await fetch(`${url}/agent.js`, { headers: { 'if-none-match': '"an-older-version"' } });
    expect(changed.status).toBe(200);
  });

  it('the pages load their scripts as modules, but the embed snippet stays a classic script', () => {
    for (const page of ['agent.html', 'index.html']) {
      const html = readFileSync(path.join(WEB, page), 'utf8');
      const own = [...html.matchAll(/<script ([^>]*)src="\/(agent|widget)\.js"/g)];
      expect(own, page).toHaveLength(1);
      expect(own[0]![1], page).toContain('type="module"');
    }
    const embed = readFileSync(path.join(WEB, 'embed.js'), 'utf8');
    expect(embed).not.toMatch(/^\s*(import|export)\b/m);
  });
});

describe('dialogs/pages.yaml is checked at start-up', () => {
  const withAgent = (group: string, key: string, value: unknown) => ({ ...texts, agent: { ...texts.agent, [group]: { ...(texts.agent as unknown as Record<string, object>)[group], [key]: value } } });

  it('the content as it stands passes', () => {
    expect(pageTextsSchema.safeParse(texts).success).toBe(true);
  });

  it.each([
    ['a placeholder the page does not fill', withAgent('queue', 'case', 'Sag {id}'), /unknown placeholder \{id\}.*\{caseId\}/],
    ['a mistyped placeholder', withAgent('queue', 'case', 'Sag {caseId'), /brace outside a placeholder/],
    ['an empty text', withAgent('case', 'heading', ' '), /./],
    ['a text the scripts do not know', withAgent('case', 'extra', 'Ekstra'), /extra/],
    ['a missing text', { ...texts, embed: { open: 'Hjælp', close: 'Luk', panel: 'Chat' } }, /expected string/i],
  ])('refuses %s', (_what, value, message) => {
    const result = pageTextsSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toMatch(message);
  });
});
