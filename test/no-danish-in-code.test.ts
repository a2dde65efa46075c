import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * What the bot, the agent desk and Teams show is content (dialogs/, intents/, teams/app.yaml), so
 * it can be read, changed and checked without reading code. The one Danish left in src/ is in
 * messages for the people who run the bot, written "dansk / english" (or "Dansk. (English.)"):
 * configuration errors, content problems, HTTP error bodies.
 */

const ROOT = path.resolve(__dirname, '..');

// Common Danish words that are no English words (and no locale or country codes such as "da",
// "de", "en", "se"), and the words of texts that have lived in the code.
const DANISH_WORDS = new Set(
  `og ikke er jeg du det der den denne til af har kan skal vil vi hun han os mig dig sig jer
   hvad hvor hvordan hvornår hvorfor hvem hvilken hvis som ved med fra efter mellem uden hos
   eller men også meget mange noget nogen ingen alle andre ud ind ned nu jo bare lige gerne
   ja nej tak hej mvh venligst beklager desværre godt
   blev bliver fik får gik går kunne være var skriv skriver skrev stil tryk prøv igen vis luk
   sag sagen sager borger borgeren borgere medarbejder medarbejderen medarbejdere kilde kilden
   guiden botten samtale samtalen besked beskeden beskeder spørgsmål svar svaret besvaret
   forstået emne emner kanal kanalen venter ventede siden sidst ny nye forløb årsag overtag
   overtaget tilbage køen søg søgeord fx kodeviser kodeoplæser trin tekst teksten knap knapper
   navn brugernavn adgangskode kommune kommunen fejl ugyldig ugyldigt mangler fandt findes
   kører dansk danske hjælp hjaelp hjælper hjælperen`.split(/\s+/).filter(Boolean),
);

const DANISH_LETTER = /[æøåÆØÅ]/;

// Web addresses and file names are no words: "https://kommune.dk", "dialogs/guide.yaml".
const ADDRESS = /\S*[\w-]\.[a-z]{2,}\b\S*/gi;

function words(text: string): string[] {
  return text.replace(ADDRESS, ' ').toLowerCase().split(/[^a-zæøåéü]+/).filter(Boolean);
}

/** Danish in a piece of text: a word with æ/ø/å (a letter on its own is a character, not a word) or a Danish word. */
function hasDanish(text: string): boolean {
  return words(text).some((word) => (word.length > 1 && DANISH_LETTER.test(word)) || DANISH_WORDS.has(word));
}

/** An id, a key, a file name or a pattern: one lower-case token ("ved_ikke", "saadan-faar-du-mitid-flowchart.txt"). */
function isCodeToken(text: string): boolean {
  return !/\s/.test(text) && !/[A-ZÆØÅ]/.test(text) && !DANISH_LETTER.test(text);
}

/** Danish followed by its English: "Ugyldig JSON / malformed JSON", "Findes ikke. (Not found.)". */
function isBilingual(text: string): boolean {
  const slash = text.lastIndexOf(' / ');
  const parens = /\(([^()]*)\)[\s.]*$/.exec(text);
  const english = slash >= 0 ? text.slice(slash + 3) : parens && parens.index > 0 ? parens[1]! : undefined;
  return english !== undefined && /[a-z]{2}/i.test(english) && !hasDanish(english);
}

/** True for a literal the check refuses. */
function refused(text: string): boolean {
  return !isCodeToken(text) && hasDanish(text) && !isBilingual(text);
}

/** A template's text with each `${…}` as a gap: "Kilde: ${source}" reads "Kilde: …". */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('…');
  return undefined;
}

/** Module names: `import … from '…'`, `export … from '…'`, `import('…')`, `require('…')`, `declare module '…'`. */
function isModuleName(node: ts.Node): boolean {
  const parent = node.parent;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent) || ts.isModuleDeclaration(parent)) return true;
  if (!ts.isCallExpression(parent) || parent.arguments[0] !== node) return false;
  return parent.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(parent.expression) && parent.expression.text === 'require');
}

/** `file:line: "text"` for each refused literal in one source file. */
function refusedIn(file: string, source: string): string[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const text = literalText(node);
    if (text !== undefined && !isModuleName(node)) {
      if (refused(text)) found.push(`${file}:${tree.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${JSON.stringify(text)}`);
      // The parts of a template are checked as one text above; what is inside its `${…}` on its own.
      if (ts.isTemplateExpression(node)) node.templateSpans.forEach((span) => ts.forEachChild(span.expression, visit));
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

const sources = readdirSync(path.join(ROOT, 'src'), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));

describe('the check for Danish in code', () => {
  it.each([
    ['Kilde: ${source}', 'Kilde: …'],
    ['a card label', 'Årsag'],
    ['a label of plain letters', 'Sidst skrev borgeren'],
    ['a speaker', 'Borger'],
    ['a heading', 'Ny sag …'],
    ['a Danish log line', 'MitID-hjælperen kører på http://…'],
    ['English after Danish but not as its translation', 'Sag …: …. Forløb: ….'],
  ])('refuses %s', (_what, text) => {
    expect(refused(text)).toBe(true);
  });

  it.each([
    ['an operator message with its English', 'Ugyldig konfiguration / invalid configuration: …'],
    ['an HTTP error body in parentheses', 'Findes ikke. (Not found.)'],
    ['an id', 'ved_ikke'],
    ['a file name', 'saadan-faar-du-mitid-flowchart.txt'],
    ['a stop word in a word list', 'jeg'],
    ['a single letter', 'å'],
    ['English', 'could not deliver a handoff message'],
    ['a web address in the English', 'skal være domæner som bot.kommune.dk / must be domains like bot.kommune.dk'],
  ])('lets %s pass', (_what, text) => {
    expect(refused(text)).toBe(false);
  });

  it('reads templates, skips module names and comments, and looks inside `${…}`', () => {
    const source = [
      "import { x } from './hjælp';",
      '// Kilde: a comment',
      'const a = `Kilde: ${x}`;',
      "const b = `${x ? 'Ja tak' : 'ok'}`;",
      "const c = require('./søg');",
    ].join('\n');
    expect(refusedIn('src/example.ts', source)).toEqual(['src/example.ts:3: "Kilde: …"', 'src/example.ts:4: "Ja tak"']);
  });
});

describe('src/', () => {
  it('has no Danish text outside content, but for operators\' "dansk / english" messages', () => {
    const found = sources.flatMap((file) => refusedIn(file, readFileSync(path.join(ROOT, file), 'utf8')));
    expect(found).toEqual([]);
  });
});
