import { describe, expect, it } from 'vitest';
import { PersonRequestFinder } from '../src/nlu/person-request';
import { content } from './helpers/bot-harness';

const finder = new PersonRequestFinder(content.phrases);

describe('PersonRequestFinder: a person asked for in any words', () => {
  it.each([
    ['kan du stille mig om til support?', 'person'],
    ['det virker ikke, jeg vil have fat i en supporter nu', 'person'],
    ['du forstår mig ikke. giv mig en rigtig person', 'person'],
    ['medarbejder tak', 'person'],
    ['Support!', 'person'],
    ['kan jeg chatte med et menneske i stedet', 'person'],
    ['kan nogen ringe mig op i dag', 'call'],
    ['ring til mig', 'call'],
    ['hvad er telefonnummeret til MitID support', 'call'],
    ['hvad er jeres telefonnummer?', 'call'],
    ['hvad er telefonnummeret', 'number'],
  ])('"%s" asks for: %s', (text, kind) => {
    expect(finder.find(text)).toBe(kind);
  });

  it.each([
    ['er du et menneske eller en robot'],
    ['du er ikke et menneske vel'],
    ['jeg er medarbejder på borgerservice og har en borger her'],
    ['en medarbejder i banken sagde, at jeg skulle have MitID'],
    ['jeg vil ikke tale med et menneske'],
    ['hvem hjælper gamle mennesker med mitid'],
    ['hvad er telefonnummeret til kommunen'],
    ['kan jeg skifte mit telefonnummer i appen'],
    ['kan du ringe til min datter'],
    ['hvordan får jeg en kodeviser'],
  ])('"%s" is no request for a person', (text) => {
    expect(finder.find(text)).toBeUndefined();
  });

  it('a negation counts only in its own clause: "du forstår mig ikke, giv mig en supporter"', () => {
    expect(finder.find('du forstår mig ikke, giv mig en supporter')).toBe('person');
    expect(finder.find('du forstår mig ikke giv mig en supporter')).toBeUndefined();
  });
});

describe('PersonRequestFinder: a person somewhere else', () => {
  it.each([['hvordan får jeg fat i kundeservice hos telia'], ['kan jeg tale med en medarbejder fra banken']])('"%s" is not about us', (text) => {
    expect(finder.find(text)).toBeUndefined();
  });
  it('"support fra MitID" is', () => {
    expect(finder.find('kan jeg få support fra mitid')).toBe('person');
  });
});
