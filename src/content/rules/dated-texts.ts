import type { Dated } from '../dated';
import { commonTarget, type GuideContent } from '../guide-content';
import type { Content } from '../load-content';
import { boundaryDays, guideDated, onDays, reachableOn } from './guide-days';
import { at, type Problem } from './problem';
import type { Text } from './texts';

/** NemID stopped working for online banking on this day, and closed for good on the next. */
const BANKING_STOP = '2022-10-31';
const NEMID_CLOSED = '2023-06-30';

/**
 * Wording that is only true on one side of those days (the sources date from 2021). A text saying
 * it must be a dated variant in force on that side alone: `before:` the day, or after it.
 */
const TENSES: ReadonlyArray<{ words: RegExp; wrong: (day: string) => boolean; message: string }> = [
  {
    words: /lukker endeligt|indtil videre|ved hjælp af dit NemID|NemID kan stadig|kan NemID stadig|stadig bruges|beholde NemID/,
    wrong: (day) => day >= NEMID_CLOSED,
    message: 'taler om NemID som åbent, men det lukkede 30. juni 2023 / speaks of NemID as open, but it closed on 30 June 2023',
  },
  {
    words: /lukkede endeligt/,
    wrong: (day) => day < NEMID_CLOSED,
    message: 'siger, at NemID er lukket, før det lukkede 30. juni 2023 / says NemID has closed before it did on 30 June 2023',
  },
  {
    words: /(Fra|pr\.) 31\. oktober 2022/,
    wrong: (day) => day >= BANKING_STOP,
    message: 'taler om 31. oktober 2022 som en dag, der kommer / speaks of 31 October 2022 as ahead',
  },
  {
    words: /[Ss]iden 31\. oktober 2022|holdt op med at virke til netbank/,
    wrong: (day) => day < BANKING_STOP,
    message: 'taler om 31. oktober 2022 som fortid / speaks of 31 October 2022 as past',
  },
];

/** What a person writes, quoted as an example ("kan jeg beholde NemID?"), is not the bot saying it. */
const QUOTED = /"[^"]*"|“[^”]*”|„[^“”]*[“”]/g;

function allDatedValues(content: Content): Array<Dated<unknown>> {
  return [
    ...guideDated(content.guide),
    ...Object.values(content.messages).map((m) => m.text),
    ...[...content.intents.intents.values()].map((i) => i.answer),
    ...Object.values(content.followUps.topics).flatMap((t) => Object.values(t.answers).flatMap((a) => (a ? [a.text] : []))),
  ];
}

/** Whether `text` is said on `day`: its variant is in force, and a guide box's text only when the box is reached (and skipped, for `skipped`). */
function saidOn(text: Text, day: string, guide: GuideContent, reached: (day: string) => ReadonlySet<string>): boolean {
  if ((text.from !== undefined && day < text.from) || (text.until !== undefined && day >= text.until)) return false;
  if (!text.box) return true;
  const node = guide.nodes[text.box.id]!;
  if (!reached(day).has(text.box.id)) return false;
  return !text.box.skipped || (node.kind === 'question' && commonTarget(node, day) !== undefined);
}

/** Every text is true on each day it can be said: NemID open or closed, the banking stop ahead or past. */
export function datedTextRules(content: Content, texts: readonly Text[]): Problem[] {
  const days = boundaryDays(allDatedValues(content), [BANKING_STOP, NEMID_CLOSED]);
  const reachedByDay = new Map<string, ReadonlySet<string>>();
  const reached = (day: string) => {
    if (!reachedByDay.has(day)) reachedByDay.set(day, reachableOn(content.guide, day));
    return reachedByDay.get(day)!;
  };
  const problems: Problem[] = [];
  for (const text of texts) {
    if (text.role !== 'said') continue;
    const statement = text.text.replace(QUOTED, '');
    for (const { words, wrong, message } of TENSES) {
      if (!words.test(statement)) continue;
      const holds = days.filter((d) => wrong(d) && saidOn(text, d, content.guide, reached));
      if (holds.length > 0) problems.push(at(text.file, text.path, `${message}${onDays(holds, days)}`));
    }
  }
  return problems;
}
