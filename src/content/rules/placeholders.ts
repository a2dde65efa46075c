import { placeholdersIn, strayBraces } from '../placeholders';
import { at, type Problem } from './problem';
import type { Text } from './texts';

/**
 * A text uses only the placeholders the code fills in for it (src/content/placeholders.ts), so no
 * "{caseId}" is ever said as it stands; and every brace belongs to a placeholder.
 */
export function placeholderRules(texts: readonly Text[]): Problem[] {
  const problems: Problem[] = [];
  for (const { file, path, text, filled } of texts) {
    for (const name of new Set(placeholdersIn(text))) {
      if (filled.includes(name)) continue;
      const known = filled.length > 0 ? filled.map((n) => `{${n}}`).join(', ') : undefined;
      problems.push(
        at(file, path, known
          ? `{${name}} bliver ikke udfyldt; koden udfylder kun ${known} / {${name}} is not filled in; the code fills only ${known}`
          : `{${name}} bliver ikke udfyldt: teksten siges, som den står / {${name}} is not filled in: the text is said as it stands`),
      );
    }
    if (strayBraces(text)) problems.push(at(file, path, 'en klamme { } uden pladsholder, fx "{caseId" / a brace that is no placeholder, e.g. "{caseId"'));
  }
  return problems;
}
