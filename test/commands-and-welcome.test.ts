import { MemoryStorage } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { Replies } from '../src/dialogs/replies';
import { fixedClock } from '../src/clock';
import { Conversation, PINNED_DAYS, content, toReply } from './helpers/bot-harness';
import { expectedFrom } from './helpers/guide-paths';

const replies = (day: string = PINNED_DAYS.after) => new Replies(content, fixedClock(`${day}T12:00:00+01:00`));
const questionReply = (id: string) => {
  const node = content.guide.nodes[id]!;
  if (node.kind !== 'question') throw new Error(`${id} must be a question`);
  return toReply(replies().question(node));
};
// Today the guide begins at Q2 (Q1 has nothing to decide since NemID closed).
const q2Question = () => questionReply('Q2');

async function atQ3(conversation: Conversation) {
  await conversation.say('Hjælp mig med at få MitID');
  await conversation.say('ja');
}

describe('welcome', () => {
  it('greets once, says who it is and offers buttons', async () => {
    const conversation = new Conversation();
    const said = await conversation.join();
    expect(said).toEqual([toReply(replies().message('welcome'))]);
    expect(said[0]!.text).toContain('MitID-hjælperen');
    expect(said[0]!.buttons).toEqual(['Hjælp mig med at få MitID', 'Tal med en medarbejder']);
    expect(await conversation.join()).toEqual([]);
  });

  it('does not greet when only the bot joins', async () => {
    const conversation = new Conversation();
    const said = await conversation.say({ type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'MitID-hjælperen' }] });
    expect(said).toEqual([]);
  });

  it('every button the bot offers is understood when tapped', async () => {
    const labels = new Set(Object.values(content.messages).flatMap((m) => m.buttons ?? []));
    for (const label of labels) {
      const conversation = new Conversation();
      const said = await conversation.say(label);
      expect(said, label).not.toEqual([toReply(replies().message('fallback'))]);
    }
  });
});

describe('commands at any point', () => {
  it('"start forfra" mid-flow begins again at Trin 1', async () => {
    const conversation = new Conversation();
    await atQ3(conversation);
    const said = await conversation.say('start forfra');
    expect(said).toEqual([toReply(replies().message('restarted')), ...expectedFrom(content, 'T1', PINNED_DAYS.after)]);
    // …and the answers now apply to the first question again.
    expect((await conversation.say('ja'))[0]!.text).toContain('Har du adgang til en smartphone, som kan scanne pas?');
  });

  it.each(['stop', 'afbryd', 'Stop tak', 'AFBRYD!'])('"%s" stops the guide and offers to go on where it was', async (text) => {
    const conversation = new Conversation();
    await atQ3(conversation);
    const said = await conversation.say(text);
    expect(said).toEqual([toReply(replies().message('stopped'))]);
    expect(said[0]!.buttons[0]).toBe('Fortsæt guiden');
    // A plain "ja" takes the offer: the guide goes on at the question it stopped at.
    expect(await conversation.say('ja')).toEqual([toReply(replies().message('resumed')), questionReply('Q3')]);
  });

  it.each(['fortsæt', 'jeg vil gerne fortsætte', 'Fortsæt guiden'])('after a stop and a question in between, "%s" goes on where the guide was', async (text) => {
    const conversation = new Conversation();
    await atQ3(conversation);
    await conversation.say('stop');
    await conversation.say('hvad er en kodeviser');
    expect(await conversation.say(text)).toEqual([toReply(replies().message('resumed')), questionReply('Q3')]);
    expect((await conversation.say('ja'))[0]!.text).toContain('MitID appen kan aflæse en chip');
  });

  it('"nej" to going on after a stop leaves the guide stopped', async () => {
    const conversation = new Conversation();
    await atQ3(conversation);
    await conversation.say('stop');
    expect(await conversation.say('nej')).toEqual([toReply(replies().message('noThanks'))]);
    expect((await conversation.say('ja'))[0]!.text).toBe(replies().text(content.messages.whatHelp.text));
  });

  it('a sentence that merely contains "stop" is not a stop', async () => {
    const conversation = new Conversation();
    await atQ3(conversation);
    const said = await conversation.say('ja, stop mig hvis jeg tager fejl');
    expect(said.at(-1)!.text).toContain('Har du en smartphone eller tablet?');
  });

  it('"hjælp" explains the commands and asks the same question again', async () => {
    const conversation = new Conversation();
    await conversation.say('Hjælp mig med at få MitID');
    const said = await conversation.say('hjælp');
    expect(said).toEqual([toReply(replies().message('help')), q2Question()]);
  });

  it('"hjaelp" without æ works too', async () => {
    const conversation = new Conversation();
    expect(await conversation.say('hjaelp')).toEqual([toReply(replies().message('help'))]);
  });

  it('"Tal med en medarbejder" mid-flow asks for consent only (no guide question after it); "Nej tak" goes back to the question', async () => {
    const conversation = new Conversation();
    await conversation.say('Hjælp mig med at få MitID');
    const said = await conversation.say('Tal med en medarbejder');
    expect(said).toEqual([toReply(replies().entry(content.handoff.citizen.consent))]);
    expect(said[0]!.text).toContain('MitID support');
    expect(await conversation.say('Nej tak')).toEqual([toReply(replies().entry(content.handoff.citizen.declined)), q2Question()]);
  });

  it.each(Object.entries(PINNED_DAYS))('"jeg vil ikke have MitID" answers OPT as true on the %s date', async (when, day) => {
    const conversation = new Conversation({ day });
    await conversation.say('Hjælp mig med at få MitID');
    const said = await conversation.say('Jeg vil ikke have MitID');
    const opt = said[0]!.text;
    expect(opt).toContain('Der er ikke noget krav om, at man skal have MitID');
    if (when === 'before' || when === 'midway') {
      expect(opt).toContain('kan pr. 31. oktober 2022 ikke længere benyttes til digitale bankforretninger');
      expect(opt).toContain('NemID lukker endeligt 30. juni 2023');
    } else if (when === 'between') {
      expect(opt).toContain('siden 31. oktober 2022 kan NemID ikke længere bruges til digitale bankforretninger');
      expect(opt).toContain('NemID lukker endeligt 30. juni 2023');
    } else {
      expect(opt).toContain('NemID lukkede endeligt 30. juni 2023');
      expect(opt).not.toContain('stadig');
    }
    // The question that was open is asked again.
    expect(said[1]!.text).toBe(day < '2023-06-30' ? 'Skal du identitetssikres, før du kan få MitID?' : 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
  });

  it('"Hjælp mig med at få MitID" mid-flow does not restart, it repeats the question', async () => {
    const conversation = new Conversation();
    await atQ3(conversation);
    const said = await conversation.say('Hjælp mig med at få MitID');
    expect(said).toHaveLength(1);
    expect(said[0]!.text).toContain('Har du adgang til en smartphone, som kan scanne pas?');
  });
});

describe('odd messages in a conversation', () => {
  it('empty text gets a clear answer and the open question is kept', async () => {
    const conversation = new Conversation();
    await conversation.say('Hjælp mig med at få MitID');
    expect(await conversation.say('   ')).toEqual([toReply(replies().message('emptyMessage')), q2Question()]);
    expect((await conversation.say('ja'))[0]!.text).toContain('smartphone, som kan scanne pas');
  });

  it('an attachment without text is answered in Danish', async () => {
    const conversation = new Conversation();
    const said = await conversation.say({ type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'https://example.invalid/x.png' }] });
    expect(said).toEqual([toReply(replies().message('attachmentsOnly'))]);
  });

  it('10,000 characters with no question in them are refused politely without losing the question', async () => {
    const conversation = new Conversation();
    await conversation.say('Hjælp mig med at få MitID');
    const said = await conversation.say('ja '.repeat(3334));
    expect(said[0]!.text).toContain('for lang');
    expect(said[0]!.text).toContain('2000');
    expect(said[1]).toEqual(q2Question());
    expect((await conversation.say('nej'))[0]!.text).toContain('Borgerservice');
  });

  it('a message over the limit is searched for its question before the bot asks to shorten it', async () => {
    const conversation = new Conversation();
    const story = 'Jeg har boet i Aarhus hele mit liv, og min mand og jeg har altid klaret det hele selv. '.repeat(30);
    const said = await conversation.say(`${story} Hvad er en kodeviser?`);
    expect(said[0]).toEqual(toReply(replies().message('longMessage')));
    expect(said[1]!.text).toContain('kodeviser eller kodeoplæser');
  });

  it('emoji alone is met with the fallback, emoji around an answer still answers', async () => {
    const conversation = new Conversation();
    expect(await conversation.say('👍')).toEqual([toReply(replies().message('fallback'))]);
    await conversation.say('Hjælp mig med at få MitID');
    expect((await conversation.say('ja 👍'))[0]!.text).toContain('smartphone, som kan scanne pas');
  });

  it('unknown activity types get no answer and leave the conversation as it was', async () => {
    const conversation = new Conversation();
    await conversation.say('Hjælp mig med at få MitID');
    expect(await conversation.say({ type: 'somethingNew', value: { x: 1 } })).toEqual([]);
    expect(await conversation.say({ type: 'typing' })).toEqual([]);
    expect((await conversation.say('ja'))[0]!.text).toContain('smartphone, som kan scanne pas');
  });
});

describe('conversations are kept apart', () => {
  it('two conversations on one storage do not share their place in the guide', async () => {
    const storage = new MemoryStorage();
    const a = new Conversation({ storage, conversationId: 'a' });
    const b = new Conversation({ storage, conversationId: 'b' });
    await atQ3(a);
    expect(await b.say('ja')).toEqual([toReply(replies().message('whatHelp'))]);
    expect((await a.say('ja'))[0]!.text).toContain('MitID appen kan aflæse en chip');
  });
});
