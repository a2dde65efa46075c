/**
 * Masks personal data that citizens may type, before anything is logged, stored in a
 * transcript or handed to an agent: CPR numbers, phone numbers and e-mail addresses.
 */

// Separators people put in numbers: spaces (the no-break one too, which \s covers), a full stop,
// and every dash (hyphen, no-break hyphen, figure dash, en and em dash, minus sign).
const SEP = '[\\s.\\-\\u2010-\\u2015\\u2212]';

// ddmmyy-xxxx, with or without separators anywhere between the parts ("01.01.50-1234",
// "0101 50 1234", "010150–1234"); the date part must look like a date so that other ten-digit
// numbers (account numbers with spaces, order numbers) survive less often.
const CPR = new RegExp(`(?<!\\d)(?:0[1-9]|[12]\\d|3[01])${SEP}?(?:0[1-9]|1[0-2])${SEP}?\\d{2}${SEP}?\\d{4}(?!\\d)`, 'g');
const CPR_TEST = new RegExp(CPR.source);
// Danish numbers: 8 digits, optionally after +45, 0045 or (+45), written together, in pairs with one
// kind of separator ("12 34 56 78", "12.34.56.78") or in fours; a date such as 2022-12-01 is none
// of these. CPR numbers are masked first, so "01 01 50 1234" is never half a phone number.
const PHONE = new RegExp(
  `(?<![\\d+\\-\\u2010-\\u2015\\u2212])(?:(?:\\(\\+45\\)|(?:\\+|00)45)${SEP}?)?(?:\\d{2}(${SEP}?)\\d{2}\\1\\d{2}\\1\\d{2}|\\d{4}${SEP}\\d{4})(?![\\d\\-\\u2010-\\u2015\\u2212])`,
  'g',
);
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
// Addresses written so that machines should not read them: "anna(at)example.dk",
// "anna [at] example [dot] dk", "anna @ example . dk".
const AT = String.raw`\s*(?:\(at\)|\[at\]|\{at\}|@)\s*`;
const DOT = String.raw`(?:\s*(?:\.|\(dot\)|\[dot\]|\(punktum\))\s*|\s+(?:dot|punktum)\s+)`;
const EMAIL_WRITTEN = new RegExp(String.raw`[\p{L}\p{N}._%+-]+${AT}[\p{L}\p{N}-]+(?:${DOT}[\p{L}\p{N}-]+)*${DOT}\p{L}{2,}`, 'giu');
// "anna at example dot dk" or "anna at example.dk": "at" is a common Danish word, so only with a
// domain ending people use.
const TLD = '(?:dk|com|net|org|eu|se|no|de|info|nu|io|me|uk)';
const EMAIL_IN_WORDS = new RegExp(String.raw`[\p{L}\p{N}._%+-]+\s+at\s+[\p{L}\p{N}-]+(?:${DOT}[\p{L}\p{N}-]+)*${DOT}${TLD}(?![\p{L}\p{N}])`, 'giu');
const MAYBE_EMAIL = /@|\(at\)|\[at\]|\{at\}|\sat\s/i;
const HAS_DIGIT = /\d/;

/** True when the text holds something that looks like a CPR number. */
export function hasCprNumber(text: string): boolean {
  return HAS_DIGIT.test(text) && CPR_TEST.test(text);
}

/** Replaces CPR numbers, e-mail addresses and phone numbers with placeholders. */
export function maskPersonalData(text: string): string {
  // Most lines hold neither an @ nor a digit, and masking runs on every transcript line: skipping
  // the scans there takes a typical line from about 3 µs to 0.15 µs (the e-mail patterns' Unicode
  // classes are tried at every position).
  let masked = text;
  if (MAYBE_EMAIL.test(masked)) {
    masked = masked.replace(EMAIL, '[e-mail]').replace(EMAIL_WRITTEN, '[e-mail]').replace(EMAIL_IN_WORDS, '[e-mail]');
  }
  if (HAS_DIGIT.test(masked)) masked = masked.replace(CPR, '[CPR]').replace(PHONE, '[telefon]');
  return masked;
}
