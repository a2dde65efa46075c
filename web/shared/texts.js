/*
 * The page's texts, from dialogs/pages.yaml: the server puts them in the page as a JSON block
 * (never a script that runs, so the Content-Security-Policy needs no exception).
 */

export function pageTexts() {
  const block = document.getElementById('page-texts');
  return JSON.parse(block ? block.textContent : '{}');
}

/** `text` with each `{name}` replaced by `values[name]`; what is filled in is not read again. */
export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole));
}

/** "Anna Jensen" → "AJ", "anna.jensen" → "AJ", "Bo" → "B", none → "?": the letters on a person's avatar. */
export function initialsOf(name) {
  const words = String(name || '').split(/[\s._-]+/).filter(Boolean);
  const picked = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return picked.map((word) => Array.from(word)[0]).join('').toLocaleUpperCase('da-DK') || '?';
}
