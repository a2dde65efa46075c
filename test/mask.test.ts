import { describe, expect, it } from 'vitest';
import { maskPersonalData } from '../src/text/mask';
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
