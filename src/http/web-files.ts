import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A file the bot serves to browsers, as it is sent. */
export interface WebFile {
  body: Buffer;
  type: string;
  cache: string;
  /** A strong validator of the body, so a browser that has the file gets a 304 instead. */
  etag: string;
}

/** The texts of each page's scripts (dialogs/pages.yaml, checked by src/content/page-texts.ts). */
export interface WebTexts {
  agent: object;
  widget: object;
  embed: object;
}

/** Where a page's texts go: a JSON block in the HTML, which no browser runs as a script. */
export const TEXTS_BLOCK = '<script type="application/json" id="page-texts"></script>';
/** Where the embed snippet's texts go: the object literal they replace. */
export const TEXTS_LITERAL = '/* page-texts */ {}';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
// The pages and their scripts change with a release; no-cache has the browser ask (and get a 304).
const REVALIDATE = 'no-cache';

/** Official Web Chat's browser bundle in node_modules (served, never from a CDN). */
function webChatBundlePath(): string {
  // The package's exports hide dist/, so find it from the entry point that is exported.
  return path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
}

function file(body: Buffer | string, type: string, cache: string): WebFile {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { body: buffer, type, cache, etag: `"${createHash('sha256').update(buffer).digest('base64url').slice(0, 27)}"` };
}

/** `source` with its one `marker` replaced; a file without it (or with two) stops the start-up. */
export function fillMarker(source: string, marker: string, filled: string, name: string): string {
  const at = source.indexOf(marker);
  if (at < 0 || source.includes(marker, at + marker.length)) throw new Error(`web/${name} must hold ${marker} exactly once`);
  return source.slice(0, at) + filled + source.slice(at + marker.length);
}

/** JSON that can sit inside a <script> element: no "</script>" or "<!--" can end or bend it. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Every .js and .css file under `webDir` by its URL path (`web/agent/queue.js` → `/agent/queue.js`). */
function scriptsAndStyles(webDir: string): Array<[string, string]> {
  return readdirSync(webDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(js|css)$/.test(entry.name))
    .map((entry) => path.relative(webDir, path.join(entry.parentPath, entry.name)))
    .map((relative) => [`/${relative.split(path.sep).join('/')}`, relative]);
}

/**
 * The widget's and the agent page's files by route, read once at start-up (they do not change
 * while the bot runs), with each page's texts put in: the two pages, their scripts and styles,
 * Web Chat's bundle and the embed snippet.
 */
export function readWebFiles(webDir: string, texts: WebTexts): Map<string, WebFile> {
  const read = (name: string) => readFileSync(path.join(webDir, name), 'utf8');
  const files = new Map<string, WebFile>();
  for (const [route, relative] of scriptsAndStyles(webDir)) files.set(route, file(readFileSync(path.join(webDir, relative)), TYPES[path.extname(relative)]!, REVALIDATE));
  const page = (name: string, pageTexts: object) => file(fillMarker(read(name), TEXTS_BLOCK, TEXTS_BLOCK.replace('><', `>${jsonForHtml(pageTexts)}<`), name), TYPES['.html']!, REVALIDATE);
  files.set('/', page('index.html', texts.widget));
  // The agent page: same Web Chat, never embedded in other sites.
  files.set('/agent', page('agent.html', texts.agent));
  // Other sites load the snippet on every page view; five minutes saves most of those requests.
  files.set('/embed.js', file(fillMarker(read('embed.js'), TEXTS_LITERAL, JSON.stringify(texts.embed), 'embed.js'), TYPES['.js']!, 'public, max-age=300'));
  files.set('/webchat.js', file(readFileSync(webChatBundlePath()), TYPES['.js']!, 'public, max-age=86400'));
  return files;
}
