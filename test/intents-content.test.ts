import { describe, expect, it } from 'vitest';
import { Replies } from '../src/dialogs/replies';
import { fixedClock } from '../src/clock';
import type { FaqIntent, IntentId } from '../src/content/intents-content';
import { PINNED_DAYS, content } from './helpers/bot-harness';

// Rules across the intents, their sources and the held-out set are in validate-content.test.ts.
const intents: FaqIntent[] = [...content.intents.intents.values()];

function intent(id: IntentId): FaqIntent {
  const found = content.intents.intents.get(id);
  if (!found) throw new Error(`intent ${id} is missing from intents/faq.yaml`);
  return found;
}

/** The answer to `id` as the bot renders it on `day` (noon, Danish time). */
function answerOn(id: IntentId, day: string): string {
  return new Replies(content, fixedClock(`${day}T12:00:00+01:00`)).text(intent(id).answer);
}

describe('FAQ intents (intents/faq.yaml)', () => {
  it.each(intents.map((i) => [i.id, i] as const))('%s has at least 20 examples', (_id, i) => {
    expect(i.examples.length).toBeGreaterThanOrEqual(20);
  });
});

describe('dated answers are true on the day they are said', () => {
  const DATED: readonly IntentId[] = ['keep_nemid', 'nemid_end_dates', 'mitid_optional', 'when_my_turn', 'stakeholder_meetings'];
  // What may no longer be said once NemID has closed (30 June 2023).
  const STALE_AFTER_CLOSING = /lukker endeligt|indtil videre|beholde NemID|NemID kan stadig|kan NemID stadig|stadig bruges|ved hjælp af dit NemID/;

  it.each(DATED.map((id) => [id] as const))('%s on 2026-11-21 does not speak of NemID as open', (id) => {
    const text = answerOn(id, PINNED_DAYS.after);
    expect(text).not.toMatch(STALE_AFTER_CLOSING);
    expect(text).not.toMatch(/\blukker\b/);
  });

  it.each((['keep_nemid', 'nemid_end_dates', 'mitid_optional'] as const).map((id) => [id] as const))(
    '%s on 2026-11-21 says NemID closed on 30 June 2023',
    (id) => {
      const text = answerOn(id, PINNED_DAYS.after);
      expect(text).toMatch(/lukke(de|t)/);
      expect(text).toContain('NemID lukkede endeligt 30. juni 2023');
    },
  );

  it('keep_nemid: keep NemID in 2021, keep it until it closes in late 2022, no longer needed in 2026', () => {
    const before = answerOn('keep_nemid', PINNED_DAYS.before);
    expect(before).toMatch(/^Ja\./);
    expect(before).toContain('skal du beholde NemID indtil videre');

    const between = answerOn('keep_nemid', PINNED_DAYS.between);
    expect(between).toContain('behold NemID indtil videre');
    expect(between).toContain('Siden 31. oktober 2022 kan NemID ikke bruges til netbank');
    expect(between).toContain('NemID lukker endeligt 30. juni 2023');

    const after = answerOn('keep_nemid', PINNED_DAYS.after);
    expect(after).toMatch(/^Nej, du skal ikke længere have NemID\./);
  });

  it('nemid_end_dates: banking ends 31 Oct 2022 (future, then past), NemID closes 30 June 2023 (future, then past)', () => {
    const before = answerOn('nemid_end_dates', PINNED_DAYS.before);
    expect(before).toContain('Fra 31. oktober 2022 kan NemID ikke længere bruges til netbank');
    expect(before).toContain('NemID lukker endeligt 30. juni 2023');

    const between = answerOn('nemid_end_dates', PINNED_DAYS.between);
    expect(between).toContain('Siden 31. oktober 2022 har NemID ikke kunnet bruges til netbank');
    expect(between).toContain('NemID lukker endeligt 30. juni 2023');

    const after = answerOn('nemid_end_dates', PINNED_DAYS.after);
    expect(after).toContain('NemID holdt op med at virke til netbank 31. oktober 2022');
    expect(after).toContain('NemID lukkede endeligt 30. juni 2023 og kan ikke bruges længere');
  });

  it('mitid_optional: no duty to have MitID on any day; NemID closing told in the right tense', () => {
    for (const day of Object.values(PINNED_DAYS)) {
      expect(answerOn('mitid_optional', day)).toContain('Der er ikke noget krav om, at man skal have MitID');
    }
    expect(answerOn('mitid_optional', PINNED_DAYS.before)).toContain('NemID kan pr. 31. oktober 2022 ikke længere');
    expect(answerOn('mitid_optional', PINNED_DAYS.between)).toContain('Siden 31. oktober 2022 har NemID ikke kunnet bruges');
    expect(answerOn('mitid_optional', PINNED_DAYS.between)).toContain('NemID lukker endeligt 30. juni 2023');
  });

  it('when_my_turn: wait for your turn in 2021; by 2026 the roll-out is over and you act yourself', () => {
    const before = answerOn('when_my_turn', PINNED_DAYS.before);
    expect(before).toContain('Du får automatisk besked, når det er din tur');

    const between = answerOn('when_my_turn', PINNED_DAYS.between);
    expect(between).toContain('Siden 31. oktober 2022 kan NemID ikke længere bruges til netbank');

    const after = answerOn('when_my_turn', PINNED_DAYS.after);
    expect(after).toContain('MitID blev indført i løbet af 2021 og 2022');
    expect(after).not.toContain('bliver indført');
    expect(after).not.toContain('Du får automatisk besked');
  });

  it('stakeholder_meetings: the 2021 dates ahead in 2021, in the past tense in 2026', () => {
    for (const day of Object.values(PINNED_DAYS)) {
      expect(answerOn('stakeholder_meetings', day)).toContain('Onsdag den 3. november');
    }
    expect(answerOn('stakeholder_meetings', PINNED_DAYS.before)).toContain('ligger på disse datoer');

    const after = answerOn('stakeholder_meetings', PINNED_DAYS.after);
    expect(after).toContain('Interessentforum holdt møder på disse datoer i 2021');
    expect(after).not.toMatch(/\bligger på\b|\bnæste møde\b/);
  });

  it('the three pinned days give three different nemid_end_dates answers', () => {
    const texts = Object.values(PINNED_DAYS).map((day) => answerOn('nemid_end_dates', day));
    expect(new Set(texts).size).toBe(3);
  });
});
