import { describe, expect, it } from 'vitest';
import type { Action, Option } from '../src/bot/memory';
import { ReplyBinder, type Binding } from '../src/bot/reply-binding';
import { loadContent } from '../src/content/load-content';
import type { IntentId } from '../src/content/intents-content';

const content = loadContent();
const binder = new ReplyBinder(content.phrases);

type Offer = Parameters<ReplyBinder['bind']>[0];

const titleOf = (id: IntentId) => content.intents.intents.get(id)!.title;
const answerOption = (id: IntentId): Option => ({ title: titleOf(id), action: { do: 'answer', intent: id } });
const followUpsOf = (id: IntentId) => content.intents.intents.get(id)!.followUps.map(answerOption);

/** After an answer that offers the guide (identity_check): the guide button first, a plain "ja" picks it. */
const guideButton = content.messages.welcome.buttons![0]!;
const withYes: Offer = {
  kind: 'offer',
  options: [{ title: guideButton, action: { do: 'command', command: 'start_guide' } }, ...followUpsOf('identity_check')],
  yes: 0,
};
/** After the code_display answer: its follow-ups as buttons, none of them the obvious "ja". */
const withoutYes: Offer = { kind: 'offer', options: followUpsOf('code_display') };
/** One button only, and no `yes`. */
const single: Offer = { kind: 'offer', options: [{ title: guideButton, action: { do: 'command', command: 'start_guide' } }] };
/** "Mente du …?": two intents and "Ingen af dem", which a "nej" means too. */
const noneLabel = content.phrases.commands.none_of_these[0]!;
const noneTitle = noneLabel.charAt(0).toLocaleUpperCase('da-DK') + noneLabel.slice(1);
const didYouMean: Offer = {
  kind: 'didYouMean',
  options: [answerOption('code_display'), answerOption('urgent_access'), { title: noneTitle, action: { do: 'noneOfThese' } }],
  no: { do: 'noneOfThese' },
};
/** "Må jeg sende samtalen videre?": yes and no buttons from dialogs/handoff.yaml. */
const [consentYes, consentNo] = content.handoff.citizen.consent.buttons!;
const consent: Offer = {
  kind: 'consent',
  options: [
    { title: consentYes!, action: { do: 'escalate', reason: 'asked' } },
    { title: consentNo!, action: { do: 'decline' } },
  ],
  yes: 0,
  no: { do: 'decline' },
};

/** What a binding does, whether it picked a button or a reply's action. */
function actionOf(binding: Binding | undefined): Action | 'unclear' | undefined {
  if (binding === undefined) return undefined;
  if ('unclear' in binding) return 'unclear';
  return 'option' in binding ? binding.option.action : binding.action;
}

function optionOf(offer: Offer, text: string): Option | undefined {
  const binding = binder.bind(offer, text);
  return binding && 'option' in binding ? binding.option : undefined;
}

describe('ReplyBinder.bind: a button by its number', () => {
  it.each([
    ['1', 0],
    ['2', 1],
    ['3', 2],
    [' 2 ', 1],
  ])('"%s" picks option %i', (text, index) => {
    expect(binder.bind(withoutYes, text)).toEqual({ option: withoutYes.options[index] });
    expect(binder.bind(withYes, text)).toEqual({ option: withYes.options[index] });
  });

  it.each(['7', '0', '4'])('"%s" is out of range for three buttons and binds nothing', (text) => {
    expect(withoutYes.options).toHaveLength(3);
    expect(binder.bind(withoutYes, text)).toBeUndefined();
  });

  it('"2" with a single button binds nothing', () => {
    expect(binder.bind(single, '2')).toBeUndefined();
  });
});

describe('ReplyBinder.bind: a button by its title', () => {
  it('the title as it stands picks its option', () => {
    for (const option of withoutYes.options) expect(optionOf(withoutYes, option.title)).toBe(option);
  });

  it('the title in other case, without æøå or with punctuation picks its option', () => {
    const codeDisplay = answerOption('code_display');
    expect(codeDisplay.title).toMatch(/æ/);
    const folded = codeDisplay.title.toLowerCase().replace(/æ/g, 'ae').replace(/ø/g, 'oe').replace(/å/g, 'aa');
    for (const typed of [codeDisplay.title.toUpperCase(), folded, `${codeDisplay.title.toLowerCase()}!`]) {
      expect(optionOf(didYouMean, typed)?.action).toEqual({ do: 'answer', intent: 'code_display' });
    }
  });

  it('a consent button typed without its comma picks it', () => {
    expect(optionOf(consent, consentYes!.replace(',', '').toLowerCase())?.action).toEqual({ do: 'escalate', reason: 'asked' });
    expect(actionOf(binder.bind(consent, consentNo!.toUpperCase()))).toEqual({ do: 'decline' });
  });

  it('only part of a title binds nothing', () => {
    const [firstWord] = titleOf('urgent_access').split(' ');
    expect(binder.bind(withoutYes, `${firstWord} kan ikke`)).toBeUndefined();
  });
});

describe('ReplyBinder.bind: ordinals', () => {
  it.each([
    ['den første', 0],
    ['første', 0],
    ['nummer 2', 1],
    ['den anden', 1],
    ['nr 3', 2],
    ['den tredje', 2],
    ['Den første, tak', 0],
    ['ja, den første', 0],
    ['ja den anden', 1],
  ])('"%s" picks option %i', (text, index) => {
    expect(binder.bind(withoutYes, text)).toEqual({ option: withoutYes.options[index] });
  });

  it('"den sidste" picks the last option, whatever the number of buttons', () => {
    expect(binder.bind(withoutYes, 'den sidste')).toEqual({ option: withoutYes.options.at(-1) });
    expect(binder.bind(single, 'den sidste')).toEqual({ option: single.options[0] });
    expect(actionOf(binder.bind(didYouMean, 'den sidste'))).toEqual({ do: 'noneOfThese' });
  });

  it('an ordinal past the last button is unclear rather than a guess', () => {
    const two: Offer = { kind: 'offer', options: followUpsOf('code_display').slice(0, 2) };
    expect(binder.bind(two, 'den tredje')).toEqual({ unclear: true });
    expect(binder.bind(single, 'nummer 2')).toEqual({ unclear: true });
  });

  it('an ordinal the content does not list binds nothing', () => {
    expect(binder.bind(withoutYes, 'den fjerde')).toBeUndefined();
  });
});

describe('ReplyBinder.bind: yes', () => {
  const yesReplies = ['ja', 'ja tak', 'gerne', 'ok', 'Ja tak!', 'jo tak', 'okay'];

  it.each(yesReplies)('"%s" picks the offer\'s yes option when it has one', (text) => {
    expect(binder.bind(withYes, text)).toEqual({ option: withYes.options[withYes.yes!] });
  });

  it.each(yesReplies)('"%s" gives consent (yes is the first consent button)', (text) => {
    expect(actionOf(binder.bind(consent, text))).toEqual({ do: 'escalate', reason: 'asked' });
  });

  it.each(yesReplies)('"%s" picks the only option of a one-button offer', (text) => {
    expect(binder.bind(single, text)).toEqual({ option: single.options[0] });
  });

  it.each(yesReplies)('"%s" to several buttons and no yes is unclear', (text) => {
    expect(binder.bind(withoutYes, text)).toEqual({ unclear: true });
    expect(binder.bind(didYouMean, text)).toEqual({ unclear: true });
  });

  it('a yes with more said after it still picks the yes option ("ja tak, send den videre")', () => {
    expect(actionOf(binder.bind(consent, 'ja tak, send den videre'))).toEqual({ do: 'escalate', reason: 'asked' });
  });

  it('every yes reply in dialogs/phrases.yaml picks the yes option', () => {
    for (const phrase of content.phrases.replies.yes) expect(binder.bind(withYes, phrase), phrase).toEqual({ option: withYes.options[0] });
  });
});

describe('ReplyBinder.bind: no', () => {
  it.each(['nej', 'nej tak', 'Nej, ikke nu', 'ingen af dem'])('"%s" takes the offer\'s no action', (text) => {
    expect(actionOf(binder.bind(didYouMean, text))).toEqual(didYouMean.no);
    expect(actionOf(binder.bind(consent, text))).toEqual(consent.no);
  });

  it.each(['nej', 'nej tak', 'ingen af dem'])('"%s" dismisses an offer without a no action', (text) => {
    expect(binder.bind(withoutYes, text)).toEqual({ action: { do: 'dismiss' } });
    expect(binder.bind(withYes, text)).toEqual({ action: { do: 'dismiss' } });
  });

  it('"nej tak, det er fint" dismisses too, read from its first word (marked partial: the rest may say more)', () => {
    expect(binder.bind(withoutYes, 'nej tak, det er fint')).toEqual({ action: { do: 'dismiss' }, partial: true });
  });

  it('every no reply in dialogs/phrases.yaml declines consent', () => {
    for (const phrase of content.phrases.replies.no) expect(actionOf(binder.bind(consent, phrase)), phrase).toEqual({ do: 'decline' });
  });
});

describe('ReplyBinder.bind: replies that are messages of their own', () => {
  const offers = { withYes, withoutYes, single, didYouMean, consent };
  const messages = [
    'ja, men hvad koster det?',
    'ja hvordan gør jeg det',
    'nej, hvad er en kodeviser?',
    'ja det vil jeg gerne men jeg har ikke nogen smartphone og min søn bor i Aarhus',
    'hvornår lukker NemID?',
    'kan jeg beholde mit NemID',
    'måske',
    '',
    '   ',
  ];

  it.each(messages)('"%s" binds to no offer', (text) => {
    for (const [name, offer] of Object.entries(offers)) expect(binder.bind(offer, text), name).toBeUndefined();
  });
});

describe('ReplyBinder.yesOrNo', () => {
  it.each([
    ['ja', 'yes'],
    ['ja tak', 'yes'],
    ['Gerne!', 'yes'],
    ['ok', 'yes'],
    ['ja tak, send den videre', 'yes'],
    ['nej', 'no'],
    ['nej tak', 'no'],
    ['nej, ikke nu', 'no'],
    ['ingen af dem', 'no'],
    ['nej tak, det er fint', 'no'],
  ] as const)('"%s" is %s', (text, expected) => {
    expect(binder.yesOrNo(text)).toBe(expected);
  });

  it.each([
    'ja, men hvad koster det?',
    'nej hvor skal jeg så gå hen',
    'ja det vil jeg gerne men jeg har ikke nogen smartphone',
    'hvornår lukker NemID',
    'måske',
    'tak',
    '',
    '!!!',
  ])('"%s" is neither', (text) => {
    expect(binder.yesOrNo(text)).toBeUndefined();
  });
});

describe('replies that begin with a word that is also a filler', () => {
  it.each(['ok, send den videre', 'gerne, send den videre', 'okay tak'])('"%s" is a yes', (text) => {
    expect(binder.yesOrNo(text)).toBe('yes');
  });

  it('"ja tak, hvis det er muligt" is a yes: "hvis" asks nothing', () => {
    expect(binder.yesOrNo('ja tak, hvis det er muligt')).toBe('yes');
  });
});
