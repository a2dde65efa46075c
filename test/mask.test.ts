import { describe, expect, it } from 'vitest';
import { hasCprNumber, maskPersonalData } from '../src/text/mask';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logger';

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

describe('CPR numbers as people write them', () => {
  it.each([
    ['med punktummer: 01.01.50-1234', 'med punktummer: [CPR]'],
    ['med mellemrum: 0101 50 1234', 'med mellemrum: [CPR]'],
    ['hårdt bindestreg: 010150\u20111234', 'hårdt bindestreg: [CPR]'],
    ['tankestreg: 010150\u20131234', 'tankestreg: [CPR]'],
    ['mellemrum overalt: 01 01 50 1234', 'mellemrum overalt: [CPR]'],
    ['mit cpr er 01.01.50-1234, og min mands er 311299 1234.', 'mit cpr er [CPR], og min mands er [CPR].'],
  ])('%s', (input, expected) => {
    expect(hasCprNumber(input)).toBe(true);
    expect(maskPersonalData(input)).toBe(expected);
  });

  it('hasCprNumber gives the same answer every time it is asked (no state left between calls)', () => {
    for (let i = 0; i < 3; i++) expect(hasCprNumber('mit cpr er 010150-1234')).toBe(true);
    for (let i = 0; i < 3; i++) expect(hasCprNumber('ring 12345678')).toBe(false);
  });

  it('ten digits that cannot be a date are no CPR number', () => {
    for (const text of ['320150-1234', '011350-1234']) {
      expect(hasCprNumber(text)).toBe(false);
      expect(maskPersonalData(text)).toBe(text);
    }
  });
});

describe('phone numbers and text without digits', () => {
  it.each([
    ['ring på 12345678', 'ring på [telefon]'],
    ['tlf. 1234 5678', 'tlf. [telefon]'],
    ['12-34-56-78 eller 87654321', '[telefon] eller [telefon]'],
    ['+45 12 34 56 78', '[telefon]'],
  ])('an ordinary 8-digit phone number is still masked as a phone number: %s', (input, expected) => {
    expect(hasCprNumber(input)).toBe(false);
    expect(maskPersonalData(input)).toBe(expected);
  });

  it.each([
    'Hej, jeg har ikke noget pas, og min kodeviser er væk.',
    'Skriv til mig på æøå, tak!',
    '',
    'CPR-nummer? Det vil jeg helst ikke skrive.',
  ])('a text without digits or e-mail is untouched: "%s"', (text) => {
    expect(hasCprNumber(text)).toBe(false);
    expect(maskPersonalData(text)).toBe(text);
  });
});

describe('the logger', () => {
  it('logs an error with its message and stack, masked (pino formats before it serialises)', () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString('utf8')), done()) }));
    const err = Object.assign(new Error('lookup failed for 010203-1234 / jens@example.dk'), { code: 'EFAIL' });
    logger.error({ err, conversation: 'c1', text: 'ring 12345678' }, 'turn failed');
    const line = JSON.parse(lines.join('')) as { err: { type: string; message: string; stack: string; code: string }; text: string };
    expect(line.err.type).toBe('Error');
    expect(line.err.message).toBe('lookup failed for [CPR] / [e-mail]');
    expect(line.err.stack).toContain('lookup failed for [CPR]');
    expect(line.err.code).toBe('EFAIL');
    expect(line.text).toBe('ring [telefon]');
  });
});

describe('shapes the first version missed', () => {
  it('a CPR number written 01-01-50-1234 is found and masked whole', () => {
    expect(hasCprNumber('mit nummer er 01-01-50-1234')).toBe(true);
    expect(maskPersonalData('mit nummer er 01-01-50-1234')).toBe('mit nummer er [CPR]');
  });

  it('a date such as 2022-12-01 is no phone number', () => {
    expect(maskPersonalData('jeg fik brevet 2022-12-01')).toBe('jeg fik brevet 2022-12-01');
  });

  it('phone numbers in pairs with one kind of separator, in fours, or together are masked', () => {
    for (const phone of ['12 34 56 78', '12-34-56-78', '1234 5678', '12345678', '+45 12 34 56 78']) expect(maskPersonalData(`ring ${phone}`), phone).toBe('ring [telefon]');
  });
});

describe('shapes from the attack campaign (issue 15)', () => {
  it.each([
    ['12.34.56.78', 'ring [telefon]'],
    ['(+45) 12 34 56 78', 'ring [telefon]'],
    ['0045 12345678', 'ring [telefon]'],
    ['12\u201334\u201356\u201378', 'ring [telefon]'],
  ])('phone %s', (phone, expected) => {
    expect(maskPersonalData(`ring ${phone}`)).toBe(expected);
  });

  it.each([
    ['anna(at)example.dk'],
    ['anna [at] example [dot] dk'],
    ['anna @ example . dk'],
    ['anna at example dot dk'],
    ['anna.hansen at kommune.dk'],
    ['ANNA(AT)EXAMPLE.DK'],
  ])('e-mail %s', (email) => {
    expect(maskPersonalData(`skriv til ${email} tak`)).toBe('skriv til [e-mail] tak');
  });

  it('"at" as the Danish word is left alone', () => {
    const text = 'Jeg har glemt at logge ind, og jeg prøvede at ringe til banken.';
    expect(maskPersonalData(text)).toBe(text);
  });

  it('01 01 50 1234 is a CPR number, not a phone number', () => {
    expect(maskPersonalData('mit nummer 01 01 50 1234')).toBe('mit nummer [CPR]');
  });
});
