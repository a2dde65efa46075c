import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPersonalData } from '../src/text/mask';

// Separators people type between the parts of a number.
const separator = fc.constantFrom('', ' ', '-', '.', '\u00a0', '\u2010', '\u2011', '\u2013', '\u2014', '\u2212');
const pad = (n: number) => String(n).padStart(2, '0');
const before = fc.constantFrom('mit cpr er ', 'CPR: ', 'det er ', '', 'min mands nummer er ');
const after = fc.constantFrom('', ' tak', '.', ', hvad nu?', '!');

/** What must not survive masking: the number's digits in any run of four or more, or its last four. */
const digitsLeft = (masked: string) => /\d{4}/.test(masked.replace(/\D+/g, (gap) => (gap.length <= 1 ? '' : ' ')));

describe('masking, by generated shapes', () => {
  it('a CPR number with any separators, anywhere in a sentence, is masked as CPR and nothing of it is left', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 9999 }),
        fc.tuple(separator, separator, separator),
        before,
        after,
        (day, month, year, serial, [a, b, c], pre, post) => {
          const cpr = `${pad(day)}${a}${pad(month)}${b}${pad(year)}${c}${String(serial).padStart(4, '0')}`;
          const masked = maskPersonalData(`${pre}${cpr}${post}`);
          expect(masked).toBe(`${pre}[CPR]${post}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a Danish phone number, in pairs or fours, with +45, 0045 or (+45), is masked and no digits are left', () => {
    const pairSep = fc.constantFrom('', ' ', '-', '.', '\u2013');
    fc.assert(
      fc.property(
        fc.integer({ min: 20_000_000, max: 99_999_999 }),
        fc.constantFrom('', '+45 ', '+45', '0045 ', '(+45) '),
        fc.boolean(),
        pairSep,
        fc.constantFrom('ring på ', 'tlf. ', 'mit nummer: '),
        (n, prefix, inPairs, sep, pre) => {
          const digits = String(n);
          const written = inPairs ? digits.match(/../g)!.join(sep) : `${digits.slice(0, 4)} ${digits.slice(4)}`;
          const masked = maskPersonalData(`${pre}${prefix}${written} tak`);
          expect(masked).toBe(`${pre}[telefon] tak`);
          expect(digitsLeft(masked)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an e-mail address, written plainly or hidden from machines, is masked whole', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        word,
        word,
        fc.constantFrom('dk', 'com', 'net', 'org'),
        fc.constantFrom('@', ' @ ', '(at)', ' (at) ', '[at]', ' at '),
        fc.constantFrom('.', ' . ', '(dot)', ' [dot] ', ' dot '),
        (local, domain, tld, at, dot) => {
          // " at " with "." is the one a plain sentence could hold, so it is written as people do: no spaces around the dot.
          const written = `${local}${at}${domain}${at === ' at ' && dot.trim() === '.' ? '.' : dot}${tld}`;
          const masked = maskPersonalData(`skriv til ${written} i morgen`);
          expect(masked).toBe('skriv til [e-mail] i morgen');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('dates, times and case numbers are left as they are', () => {
    for (const text of ['fra 31. oktober 2022', 'brevet kom 2022-12-01', 'kl. 10.30 i morgen', 'sag M-1001', 'Leveringstiden er 7-15 hverdage', 'version 1.2.3']) {
      expect(maskPersonalData(text)).toBe(text);
    }
  });
});
