import { describe, expect, it } from 'vitest';
import { maskPersonalData } from '../src/text/mask';

describe('masking personal data', () => {
  it.each([
    ['mit cpr er 010190-1234', 'mit cpr er [CPR]'],
    ['cpr 0101901234 tak', 'cpr [CPR] tak'],
    ['ring på 12 34 56 78', 'ring på [telefon]'],
    ['ring på +45 12345678', 'ring på [telefon]'],
    ['mit nummer er 0045-12345678.', 'mit nummer er [telefon].'],
    ['skriv til jens.hansen@example.dk', 'skriv til [e-mail]'],
    ['Søren.Ærø@kommune.dk og 311299 1234', '[e-mail] og [CPR]'],
  ])('%s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it('leaves ordinary text and short numbers alone', () => {
    const text = 'Leveringstiden er 7-15 hverdage, fra 31. oktober 2022 og 30. juni 2023.';
    expect(maskPersonalData(text)).toBe(text);
  });
});
