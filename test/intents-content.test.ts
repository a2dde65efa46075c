import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Replies } from '../src/dialogs/replies';
import { fixedClock } from '../src/clock';
import { loadYaml } from '../src/content/yaml';
import { NONE_INTENT, sourceFiles, type FaqIntent, type IntentId } from '../src/content/intents-content';
import { normalizeText } from '../src/text/normalize';
import { PINNED_DAYS, content } from './helpers/bot-harness';

const root = path.resolve(__dirname, '..');
const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
const sources: Record<string, string> = Object.fromEntries(
  sourceFiles.map((file) => [file, collapse(readFileSync(path.join(root, 'intents', 'sources', file), 'utf8'))]),
);

const intents: FaqIntent[] = [...content.intents.intents.values()];
const intentIdSet: ReadonlySet<string> = new Set(intents.map((i) => i.id));
const SMALL_TALK: ReadonlySet<IntentId> = new Set<IntentId>(['greeting', 'thanks', 'goodbye', 'restart']);

const heldoutSchema = z
  .object({ utterances: z.array(z.object({ text: z.string().trim().min(1), intent: z.string().trim().min(1) }).strict()) })
  .strict();
const heldout = loadYaml(path.join(root, 'test', 'eval', 'heldout.yaml'), heldoutSchema).data.utterances;

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

  it('every source quote is found word for word in its file under intents/sources/', () => {
    const missing = intents.flatMap((i) =>
      i.sources.filter((s) => !sources[s.file]!.includes(collapse(s.quote))).map((s) => `${i.id} → ${s.file}: "${s.quote}"`),
    );
    expect(missing).toEqual([]);
  });

  it('the source check would notice a quote that is not in the source', () => {
    const quote = 'NemID lukker endeligt d. 30 juni 2024.';
    expect(sourceFiles.some((file) => sources[file]!.includes(collapse(quote)))).toBe(false);
  });

  it('every intent with facts (all but small talk) names at least one source', () => {
    const withoutSource = intents.filter((i) => !SMALL_TALK.has(i.id) && i.sources.length === 0).map((i) => i.id);
    expect(withoutSource).toEqual([]);
    expect(intents.filter((i) => !SMALL_TALK.has(i.id)).length).toBe(intents.length - SMALL_TALK.size);
  });

  it('no example appears under two intents, or under an intent and out of scope (after normalisation)', () => {
    const owners = new Map<string, Set<string>>();
    const add = (text: string, owner: string) => {
      const key = normalizeText(text);
      owners.set(key, (owners.get(key) ?? new Set()).add(owner));
    };
    for (const i of intents) for (const example of i.examples) add(example, i.id);
    for (const example of content.intents.outOfScope) add(example, NONE_INTENT);
    const shared = [...owners].filter(([, who]) => who.size > 1).map(([text, who]) => `"${text}": ${[...who].join(', ')}`);
    expect(shared).toEqual([]);
  });

  it('follow-ups never point back to the intent itself', () => {
    const selfish = intents.filter((i) => i.followUps.includes(i.id)).map((i) => i.id);
    expect(selfish).toEqual([]);
  });

  it('titles are unique, also after normalisation (a tapped title must mean one intent)', () => {
    const titles = intents.map((i) => normalizeText(i.title));
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe('held-out evaluation set (test/eval/heldout.yaml)', () => {
  it('has at least 150 utterances, at least 25 of them out of scope', () => {
    expect(heldout.length).toBeGreaterThanOrEqual(150);
    expect(heldout.filter((u) => u.intent === NONE_INTENT).length).toBeGreaterThanOrEqual(25);
  });

  it('uses only real intent ids or "none"', () => {
    const unknown = [...new Set(heldout.map((u) => u.intent))].filter((id) => id !== NONE_INTENT && !intentIdSet.has(id));
    expect(unknown).toEqual([]);
  });

  it('has at least 5 utterances for every intent', () => {
    const counts = new Map<string, number>();
    for (const u of heldout) counts.set(u.intent, (counts.get(u.intent) ?? 0) + 1);
    const thin = intents.filter((i) => (counts.get(i.id) ?? 0) < 5).map((i) => `${i.id}: ${counts.get(i.id) ?? 0}`);
    expect(thin).toEqual([]);
  });

  it('shares no sentence with the training examples (faq.yaml or out-of-scope.yaml)', () => {
    const training = new Set([...intents.flatMap((i) => i.examples), ...content.intents.outOfScope].map(normalizeText));
    const leaked = heldout.filter((u) => training.has(normalizeText(u.text))).map((u) => u.text);
    expect(leaked).toEqual([]);
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

  it('no intent on 2026-11-21 speaks of NemID as still open', () => {
    const stale = intents
      .map((i) => [i.id, answerOn(i.id, PINNED_DAYS.after)] as const)
      .filter(([, text]) => STALE_AFTER_CLOSING.test(text))
      .map(([id]) => id);
    expect(stale).toEqual([]);
  });

  it('every dated variant of every answer uses the tense that fits the days it is in force', () => {
    const BANKING_STOP = '2022-10-31';
    const CLOSING = '2023-06-30';
    const problems: string[] = [];
    for (const i of intents) {
      const variants = i.answer.variants;
      variants.forEach((variant, n) => {
        const from = variants[n - 1]?.before ?? '0000-01-01';
        const until = variant.before ?? '9999-12-31';
        const text = variant.value;
        const where = `${i.id} [${from} – ${until})`;
        if (/lukker endeligt|indtil videre|ved hjælp af dit NemID/.test(text) && until > CLOSING) problems.push(`${where}: NemID as still open`);
        if (/lukkede endeligt/.test(text) && from < CLOSING) problems.push(`${where}: NemID closed too early`);
        if (/(Fra|pr\.) 31\. oktober 2022/.test(text) && until > BANKING_STOP) problems.push(`${where}: banking stop in the future`);
        if (/Siden 31\. oktober 2022|holdt op med at virke til netbank/.test(text) && from < BANKING_STOP) problems.push(`${where}: banking stop in the past too early`);
      });
    }
    expect(problems).toEqual([]);
  });
});
