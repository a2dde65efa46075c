import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

// The folders a path written in the README may start from; anything else is read relative to the
// entry it stands in (so "rules/" under src/content/ means src/content/rules/).
const ROOTS = ['src', 'web', 'dialogs', 'intents', 'teams', 'scripts', 'bench', 'test', 'vendor', 'docs', '.ci'];
// Folders of the checkout that are made, not kept (see .gitignore).
const MADE = new Set(['.git', 'node_modules', 'dist', 'data', 'coverage']);

/** The text of one `## heading` section, up to the next one. */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

function codeBlocks(text: string): string[] {
  return [...text.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const layout = section('Layout');
const [drawing = '', tree = ''] = codeBlocks(layout);

/** LAYERS as test/architecture.test.ts declares it: each inner array's quoted names, in order. */
function declaredLayers(): string[][] {
  const source = readFileSync(path.join(ROOT, 'test', 'architecture.test.ts'), 'utf8');
  const block = /const LAYERS[^=]*=\s*\[([\s\S]*?)\n\];/.exec(source)?.[1];
  if (!block) throw new Error('LAYERS not found in test/architecture.test.ts');
  return [...block.matchAll(/\[([^\]]*)\]/g)].map((m) => [...m[1]!.matchAll(/'([^']+)'/g)].map((q) => q[1]!));
}

/** The drawing's rows `  3    content    what it is for`: the units of each layer, by number. */
function drawnLayers(): string[][] {
  const rows: string[][] = [];
  for (const line of drawing.split('\n')) {
    const row = /^\s*(\d+)\s{2,}(\S(?:\S| (?! ))*)/.exec(line);
    if (row) rows[Number(row[1])] = row[2]!.split(' ');
  }
  return rows;
}

interface Entry {
  /** The entry's path from the repository's root; a folder ends with "/". */
  path: string;
  text: string;
}

/** The tree's entries: a name at the start of a line (indented two spaces under its folder), then its job. */
function treeEntries(): Entry[] {
  const entries: Entry[] = [];
  let folder = '';
  for (const line of tree.split('\n')) {
    const entry = /^( {0,2})(\S+)(.*)$/.exec(line);
    if (!entry) {
      if (entries.length > 0) entries.at(-1)!.text += ` ${line.trim()}`;
      continue;
    }
    const [, indent, name, rest] = entry as unknown as [string, string, string, string];
    const full = indent.length === 0 ? name : folder + name;
    if (indent.length === 0) folder = name.endsWith('/') ? name : '';
    entries.push({ path: full, text: rest });
  }
  return entries;
}

// A file name with one of these endings, or a folder name ending in "/", not part of a longer word or URL path.
const NAMED = /(?<![\w*./-])((?:[\w.-]+\/)*(?:[\w.*-]+\.(?:ts|mts|js|css|html|yaml|md|json|png|txt|sh)|[\w.-]+\/))(?![\w/-])/g;

/** Whether `name` (a file, a folder ending in "/", or `dir/*.ext`) exists, read from `base` unless it starts at a root. */
function exists(name: string, base: string): boolean {
  const from = ROOTS.some((r) => name.startsWith(`${r}/`)) ? ROOT : path.join(ROOT, base);
  if (!name.includes('*')) return existsSync(path.join(from, name));
  const dir = path.join(from, path.dirname(name));
  const pattern = new RegExp(`^${path.basename(name).replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
  return existsSync(dir) && readdirSync(dir).some((file) => pattern.test(file));
}

function missingIn(entries: Entry[]): string[] {
  const missing: string[] = [];
  for (const entry of entries) {
    if (!existsSync(path.join(ROOT, entry.path))) missing.push(entry.path);
    const base = entry.path.endsWith('/') ? entry.path : path.dirname(entry.path);
    for (const [, name] of entry.text.matchAll(NAMED)) if (!exists(name!, base)) missing.push(`${name} (in ${entry.path})`);
  }
  return missing;
}

function foldersUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !MADE.has(d.name))
    .map((d) => `${dir ? `${dir}/` : ''}${d.name}/`);
}

describe("the README's layout section", () => {
  const entries = treeEntries();
  const listed = new Set(entries.map((e) => e.path));

  it('draws the layers test/architecture.test.ts enforces, lowest first', () => {
    expect(drawnLayers()).toEqual(declaredLayers());
  });

  it('names only folders and files that exist', () => {
    expect(entries.length).toBeGreaterThan(30);
    expect(missingIn(entries)).toEqual([]);
  });

  it('has an entry for every folder at the top, in src/ and in web/, and every file directly in src/', () => {
    const folders = [...foldersUnder(''), ...foldersUnder('src'), ...foldersUnder('web'), 'test/helpers/'];
    const files = readdirSync(path.join(ROOT, 'src')).filter((f) => f.endsWith('.ts')).map((f) => `src/${f}`);
    expect([...folders, ...files].filter((p) => !listed.has(p))).toEqual([]);
  });
});

describe("the README's HTTP endpoints section", () => {
  it('names only files that exist', () => {
    const text = section('HTTP endpoints');
    const named = [...text.matchAll(NAMED)].map((m) => m[1]!).filter((name) => ROOTS.some((r) => name.startsWith(`${r}/`)));
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((name) => !exists(name, ''))).toEqual([]);
  });
});
