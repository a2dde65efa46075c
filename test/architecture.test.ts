import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/**
 * The layers of src/, lowest first, as the README's layout section draws them. A module may import
 * from its own layer and the ones below; a folder (or a file directly under src/) is one unit.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['types', 'clock', 'text', 'logger', 'async', 'boot', 'http', 'config'],
  ['storage', 'directline'],
  ['framework'],
  ['content'],
  ['nlu'],
  ['dialogs'],
  ['handoff'],
  ['teams', 'desk'],
  ['bot'],
  ['ops'],
  ['startup', 'app', 'chat', 'main'],
];

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

/** `src/bot/turn.ts` → `bot`; `src/app.ts` → `app`. */
function unitOf(file: string): string {
  const parts = path.relative('src', file).split(path.sep);
  return parts.length > 1 ? parts[0]! : path.basename(parts[0]!, '.ts');
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every relative module a file names in an import or export, type-only ones too, resolved to a src file. */
function importsOf(file: string): string[] {
  const found: string[] = [];
  for (const statement of parse(file).statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    found.push(path.join(path.dirname(file), specifier.text));
  }
  return found;
}

const sources = filesUnder('src', /\.ts$/);

/** unit → units it imports, with one example file pair each, for a readable failure. */
function unitGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sources) {
    const from = unitOf(file);
    for (const target of importsOf(file)) {
      const to = unitOf(target);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)!.set(to, `${file} → ${target}`);
    }
  }
  return graph;
}

describe('the layers of src/', () => {
  const layerOf = new Map(LAYERS.flatMap((units, index) => units.map((unit) => [unit, index] as const)));
  const graph = unitGraph();

  it('name every folder and top-level file', () => {
    const units = new Set(sources.map(unitOf));
    expect([...units].filter((unit) => !layerOf.has(unit)).sort()).toEqual([]);
  });

  it('are only imported downwards or within a layer', () => {
    const upwards: string[] = [];
    for (const [from, targets] of graph) {
      for (const [to, example] of targets) if (layerOf.get(to)! > layerOf.get(from)!) upwards.push(`${from} → ${to} (${example})`);
    }
    expect(upwards).toEqual([]);
  });

  it('have no two folders that import each other, directly or round a longer loop', () => {
    // Depth-first search; a unit met again while still on the stack closes a loop.
    const loops: string[] = [];
    const done = new Set<string>();
    const visit = (unit: string, stack: string[]) => {
      if (stack.includes(unit)) {
        loops.push([...stack.slice(stack.indexOf(unit)), unit].join(' → '));
        return;
      }
      if (done.has(unit)) return;
      for (const to of graph.get(unit)?.keys() ?? []) visit(to, [...stack, unit]);
      done.add(unit);
    };
    for (const unit of graph.keys()) visit(unit, []);
    expect(loops).toEqual([]);
  });
});

describe('sizes a newcomer can read', () => {
  // Source of the product: the server, its scripts and benchmarks, the page scripts. Tests may be longer.
  const readable = [...sources, ...filesUnder('scripts', /\.ts$/), ...filesUnder('bench', /\.ts$/), ...filesUnder('web', /\.m?js$/)];

  it('no file over 400 lines', () => {
    const long = readable.map((file) => ({ file, lines: readFileSync(path.join(ROOT, file), 'utf8').split('\n').length })).filter((f) => f.lines > 400);
    expect(long).toEqual([]);
  });

  it('no function over 60 lines', () => {
    const long: string[] = [];
    for (const file of readable) {
      const source = parse(file);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const last = source.getLineAndCharacterOfPosition(node.end).line;
          if (last - first + 1 > 60) long.push(`${file}:${first + 1} (${last - first + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});
