import { describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load-content';
import { botCommands, SHORT_COMMAND_WORDS } from '../src/content/commands';
import { PhraseMatcher } from '../src/text/phrase-matcher';

const { phrases } = loadContent();

/**
 * The bot's command phrases read with PhraseMatcher's options one at a time (short phrases only as
 * the whole message, fillers aside; then stemmed, or `anywhere`). The bot reads them with all of
 * them at once: `botCommands`, tested at the end.
 */
const commandOptions = { shortPhraseWords: SHORT_COMMAND_WORDS, fillers: phrases.fillers };
const commands = new PhraseMatcher(phrases.commands, commandOptions);
const stemmedCommands = new PhraseMatcher(phrases.commands, { ...commandOptions, stemmed: true });
const anywhereCommands = new PhraseMatcher(phrases.commands, { ...commandOptions, anywhere: phrases.commandsAnywhere });
const answers = new PhraseMatcher(Object.fromEntries(Object.entries(phrases.answers).map(([id, a]) => [id, a.phrases])));
const replies = new PhraseMatcher(phrases.replies, { shortPhraseWords: Number.MAX_SAFE_INTEGER, fillers: phrases.fillers });

const keyOf = (matcher: PhraseMatcher<string>, text: string) => matcher.match(text)?.key;

describe('the content the tests rely on', () => {
  it('lists the phrases used below', () => {
    expect(phrases.commands.start_guide).toContain('hjaelp mig med at faa mitid');
    expect(phrases.commands.start_guide).toContain('start guiden');
    expect(phrases.commandsAnywhere).toContain('start_guide');
    expect(phrases.commands.stop).toContain('stop');
    expect(phrases.fillers).toEqual(expect.arrayContaining(['tak', 'kan', 'du', 'mig', 'ok']));
  });
});

describe('PhraseMatcher: stemmed', () => {
  it('"kan du hjælpe mig med at få mitid" meets "hjælp mig med at få mitid" only when stemmed', () => {
    const text = 'kan du hjælpe mig med at få mitid';
    expect(commands.match(text)).toBeUndefined();
    expect(stemmedCommands.match(text)).toEqual({ key: 'start_guide', words: 6, start: 2 });
  });

  it('the exact phrase matches both ways', () => {
    expect(keyOf(commands, 'hjælp mig med at få MitID')).toBe('start_guide');
    expect(keyOf(stemmedCommands, 'hjælp mig med at få MitID')).toBe('start_guide');
  });

  it('words() gives the stems when stemmed, the normalised words otherwise', () => {
    expect(commands.words('Hjælpe mig')).toEqual(['hjaelpe', 'mig']);
    expect(stemmedCommands.words('Hjælpe mig')).toEqual(stemmedCommands.words('hjælp mig'));
  });
});

describe('PhraseMatcher: whole-message phrases and fillers', () => {
  it.each(['stop', 'Stop!', 'stop tak', 'ok stop', 'stop nu tak'])('"%s" is the short command stop', (text) => {
    expect(keyOf(commands, text)).toBe('stop');
  });

  it.each(['stop med at spørge om pas', 'jeg er træt af det, stop', 'hvornår stopper NemID'])('"%s" is no command: a short phrase must be the whole message', (text) => {
    expect(commands.match(text)).toBeUndefined();
    expect(commands.has(text)).toBe(false);
  });

  it('fillers count only around a whole-message phrase, so "kan du stop" is stop but "stop med at spørge om pas" is not', () => {
    expect(keyOf(commands, 'kan du stop')).toBe('stop');
    expect(commands.match('stop med at spørge om pas')).toBeUndefined();
  });

  it('a message of fillers alone matches nothing', () => {
    expect(commands.match('ok tak')).toBeUndefined();
    expect(commands.match('')).toBeUndefined();
    expect(commands.match('!!!')).toBeUndefined();
  });

  it('longer phrases count anywhere in the message', () => {
    expect(commands.match('jeg vil gerne tale med en medarbejder nu')).toEqual({ key: 'human', words: 4, start: 3 });
  });
});

describe('PhraseMatcher: anywhere', () => {
  it('a short phrase of an `anywhere` key counts inside a longer message', () => {
    expect(commands.match('start guiden til MitID')).toBeUndefined();
    expect(anywhereCommands.match('start guiden til MitID')).toEqual({ key: 'start_guide', words: 2, start: 0 });
  });

  it('other keys stay whole-message only', () => {
    expect(anywhereCommands.match('stop med at spørge om pas')).toBeUndefined();
    expect(keyOf(anywhereCommands, 'stop tak')).toBe('stop');
  });
});

describe('PhraseMatcher: the longest phrase wins, ties match nothing', () => {
  it('"det virkede ikke" (nej) beats "det virkede" (ja); "ved ikke" beats "ikke"', () => {
    expect(keyOf(answers, 'det virkede ikke')).toBe('nej');
    expect(keyOf(answers, 'det virkede')).toBe('ja');
    expect(keyOf(answers, 'det ved jeg ikke')).toBe('ved_ikke');
  });

  it('two keys with phrases of equal length in one message: undefined', () => {
    expect(answers.match('ja nej')).toBeUndefined();
    const colours = new PhraseMatcher({ red: ['rød bil'], blue: ['blå bil'] });
    expect(colours.match('en rød bil og en blå bil')).toBeUndefined();
    expect(colours.match('en rød bil')).toEqual({ key: 'red', words: 2, start: 1 });
  });

  it('a tie is broken by a longer phrase of either key', () => {
    const colours = new PhraseMatcher({ red: ['rød bil', 'en stor rød bil'], blue: ['blå bil'] });
    expect(colours.match('en stor rød bil og en blå bil')).toEqual({ key: 'red', words: 4, start: 0 });
  });

  it('the same key twice is no tie: the first place it stands is given', () => {
    const colours = new PhraseMatcher({ red: ['rød bil', 'rød cykel'], blue: ['blå bil'] });
    expect(colours.match('en rød cykel og en rød bil')).toEqual({ key: 'red', words: 2, start: 1 });
  });

  it('coveredWords counts the longest phrase even on a tie', () => {
    const colours = new PhraseMatcher({ red: ['rød bil'], blue: ['blå bil'] });
    expect(colours.coveredWords('en rød bil og en blå bil')).toBe(2);
    expect(colours.coveredWords('en grøn bil')).toBe(0);
  });

  it('`allowed` leaves out the other keys', () => {
    expect(answers.match('ja nej', new Set(['ja']))).toEqual({ key: 'ja', words: 1, start: 0 });
    expect(answers.match('ja nej', new Set(['nej']))).toEqual({ key: 'nej', words: 1, start: 1 });
  });
});

describe('PhraseMatcher.leading', () => {
  it.each([
    ['nej, det har jeg desværre ikke', 'no'],
    ['ok tak. nej det kan jeg ikke', 'no'],
    ['okay, nej så', 'no'],
    ['ja tak, send den videre', 'yes'],
    ['fint, send den videre', 'yes'],
  ] as const)('"%s" begins with %s, fillers passed over', (text, key) => {
    expect(replies.leading(text)).toBe(key);
  });

  it('only one-word phrases lead: "ellers tak" is a phrase, but "ellers" alone is not', () => {
    expect(replies.leading('ellers tak for nu')).toBeUndefined();
  });

  it('a message whose first word after the fillers is no phrase leads with nothing', () => {
    expect(replies.leading('måske nej')).toBeUndefined();
    expect(replies.leading('tak')).toBeUndefined();
    expect(replies.leading('')).toBeUndefined();
  });

  it('a message of fillers alone is read from its first word ("ok" is a filler and a yes)', () => {
    expect(replies.leading('ok')).toBe('yes');
  });

  it('afterFillers gives the words from the first one that is not a filler', () => {
    expect(replies.afterFillers('okay, nej så')).toEqual(['nej', 'saa']);
    expect(replies.afterFillers('ok tak')).toEqual([]);
  });
});

describe('PhraseMatcher.rest', () => {
  const corrections = new PhraseMatcher({ strong: phrases.corrections.strong, weak: phrases.corrections.weak });

  it('"nej vent, jeg har faktisk et pas" without its correction words', () => {
    expect(corrections.rest('nej vent, jeg har faktisk et pas')).toEqual(['jeg', 'har', 'et', 'pas']);
  });

  it('every place a phrase stands is covered, longest first', () => {
    expect(corrections.rest('vent vent, ups')).toEqual([]);
    expect(corrections.rest('jeg trykkede forkert')).toEqual([]);
    expect(corrections.rest('jeg har et pas')).toEqual(['jeg', 'har', 'et', 'pas']);
  });

  it('leaves out fillers', () => {
    const withFillers = new PhraseMatcher({ stop: ['stop guiden'] }, { fillers: ['tak', 'lige'] });
    expect(withFillers.rest('stop lige guiden tak')).toEqual(['stop', 'guiden']);
    expect(withFillers.rest('stop guiden nu tak')).toEqual(['nu']);
  });
});

describe('PhraseMatcher.keysIn', () => {
  const colours = new PhraseMatcher({ red: ['rød', 'rød bil'], blue: ['blå'], green: ['grøn'] });

  it('gives every key with a phrase in the message and how many of its phrases stand there', () => {
    expect(new Map(colours.keysIn('en rød bil og en blå cykel'))).toEqual(
      new Map([
        ['red', 2],
        ['blue', 1],
      ]),
    );
    expect(colours.keysIn('en gul bil').size).toBe(0);
  });

  it('whole-message phrases count only as the whole message', () => {
    expect([...commands.keysIn('stop')]).toEqual([['stop', 1]]);
    expect(commands.keysIn('stop med at spørge om pas').has('stop')).toBe(false);
  });

  it('stemmed keys meet other forms of their words', () => {
    const about = new PhraseMatcher({ scan: ['scanne'], tablet: ['tablet'] }, { stemmed: true });
    expect([...about.keysIn('min telefon scanner ikke')]).toEqual([['scan', 1]]);
  });
});

describe('PhraseMatcher: the same message again', () => {
  it('match, has, coveredWords and keysIn give the same results the second time', () => {
    const texts = ['kan du hjælpe mig med at få mitid', 'stop tak', 'ja nej', 'start guiden til MitID', 'x'.repeat(600)];
    for (const matcher of [commands, stemmedCommands, anywhereCommands, answers]) {
      for (const text of texts) {
        const first = { match: matcher.match(text), has: matcher.has(text), covered: matcher.coveredWords(text), keys: new Map(matcher.keysIn(text)) };
        const again = { match: matcher.match(text), has: matcher.has(text), covered: matcher.coveredWords(text), keys: new Map(matcher.keysIn(text)) };
        expect(again, text).toEqual(first);
      }
    }
  });

  it('a match with `allowed` does not change what the message matches later', () => {
    const text = 'ja, nej';
    expect(answers.match(text, new Set(['ja']))?.key).toBe('ja');
    expect(answers.match(text)).toBeUndefined();
    expect(answers.match(text, new Set(['nej']))?.key).toBe('nej');
    expect(answers.match(text)).toBeUndefined();
  });

  it('one matcher\'s results are its own: another matcher reads the same text afresh', () => {
    const text = 'kan du hjælpe mig med at få mitid';
    expect(stemmedCommands.match(text)?.key).toBe('start_guide');
    expect(commands.match(text)).toBeUndefined();
    expect(new PhraseMatcher({ other: ['hjaelpe'] }).match(text)?.key).toBe('other');
  });
});

describe('botCommands: the commands as the bot reads them', () => {
  const bot = botCommands(phrases);

  it('compares stems and reads `anywhere` commands inside a message, short phrases else only alone', () => {
    expect(keyOf(bot, 'kan du hjælpe mig med at få mitid')).toBe('start_guide');
    expect(keyOf(bot, 'start guiden til MitID')).toBe('start_guide');
    expect(keyOf(bot, 'stop tak')).toBe('stop');
    expect(bot.match('stop med at spørge om pas')).toBeUndefined();
  });
});
