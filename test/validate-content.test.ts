import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkContent, heldoutSchema } from '../src/content/check-content';
import type { Dated } from '../src/content/dated';
import type { GuideNode } from '../src/content/guide-content';
import { ContentError, loadContent, type Content } from '../src/content/load-content';
import { fill } from '../src/content/placeholders';
import { formatProblem, validateContent, type Problem } from '../src/content/validate-content';
import { loadYaml } from '../src/content/yaml';
import { content } from './helpers/bot-harness';
import { copyContentRoot, editYaml, intentIndex, intentOf, problemsAfter, repoRoot, shippedSources } from './helpers/broken-content';

const GUIDE = 'dialogs/guide.yaml';
const MESSAGES = 'dialogs/messages.yaml';
const PHRASES = 'dialogs/phrases.yaml';
const HANDOFF = 'dialogs/handoff.yaml';
const FAQ = 'intents/faq.yaml';
const OUT_OF_SCOPE = 'intents/out-of-scope.yaml';
const FOLLOW_UPS = 'intents/follow-ups.yaml';
const HELDOUT = 'test/eval/heldout.yaml';

const heldout = loadYaml(path.join(repoRoot, HELDOUT), heldoutSchema).data.utterances;
/** A sentence the flowchart does say, for boxes added by a test. */
const flowchartQuote = content.guide.nodes.T1!.source!;

const problem = (file: string, path: string, message: RegExp) => ({ file, path, message: expect.stringMatching(message) as unknown as string });
const plain = (value: string): Dated<string> => ({ variants: [{ value }] });
const step = (next?: Dated<string>): GuideNode => ({ kind: 'step', label: 'x', text: plain('Et trin.'), source: flowchartQuote, ...(next ? { next } : {}) });
const question = (answers: Record<string, string>): GuideNode => ({
  kind: 'question',
  label: 'x',
  text: plain('Et spørgsmål?'),
  source: flowchartQuote,
  about: [],
  answers: Object.fromEntries(Object.entries(answers).map(([answer, to]) => [answer, plain(to)])),
});
function questionOf(copy: Content, id: string): Extract<GuideNode, { kind: 'question' }> {
  const node = copy.guide.nodes[id]!;
  if (node.kind !== 'question') throw new Error(`${id} must be a question`);
  return node;
}
function boxOf(copy: Content, id: string): Exclude<GuideNode, { kind: 'question' }> {
  const node = copy.guide.nodes[id]!;
  if (node.kind === 'question') throw new Error(`${id} must not be a question`);
  return node;
}

describe('the shipped content', () => {
  it('has no problems, at start-up or with the held-out set', () => {
    expect(validateContent(content, shippedSources)).toEqual([]);
    expect(checkContent(repoRoot).problems).toEqual([]);
  });
});

describe('guide rules (dialogs/guide.yaml)', () => {
  it('a start that is no box', () => {
    expect(problemsAfter((c) => (c.guide.start = 'X9'))).toEqual([problem(GUIDE, 'start', /^"X9" findes ikke/)]);
  });

  it('an arrow to a box that does not exist, by its answer or its next', () => {
    expect(problemsAfter((c) => (boxOf(c, 'O2').next = plain('T9')))).toEqual([problem(GUIDE, 'nodes.O2.next', /fører til "T9", som ikke findes/)]);
    expect(problemsAfter((c) => (questionOf(c, 'Q2').answers.nej = plain('T9')))).toEqual([problem(GUIDE, 'nodes.Q2.answers.nej', /fører til "T9"/)]);
  });

  it('an answer phrases.yaml does not know', () => {
    expect(problemsAfter((c) => (questionOf(c, 'Q2').answers.maybe = plain('O3')))).toEqual([
      problem(GUIDE, 'nodes.Q2.answers.maybe', /svaret "maybe" står ikke i dialogs\/phrases\.yaml/),
    ]);
  });

  it('a box nothing leads to', () => {
    expect(problemsAfter((c) => (c.guide.nodes.X1 = step()))).toEqual([problem(GUIDE, 'nodes.X1', /kan ikke nås fra start/)]);
  });

  it('boxes that never lead to an end', () => {
    const broken = problemsAfter((c) => {
      questionOf(c, 'Q0').answers.ved_ikke = plain('X2');
      c.guide.nodes.X2 = question({ ja: 'X2', nej: 'X3' });
      c.guide.nodes.X3 = question({ ja: 'X2', nej: 'X3' });
    });
    expect(broken).toEqual([problem(GUIDE, 'nodes.X2', /^fører aldrig til en afslutning/), problem(GUIDE, 'nodes.X3', /^fører aldrig til en afslutning/)]);
  });

  it('steps that go round without a question, on the days they do', () => {
    const broken = problemsAfter((c) => {
      questionOf(c, 'Q0').answers.ved_ikke = plain('X4');
      // Before 2023 X4 and X5 lead to each other; from then on X4 goes on to Trin 2.
      c.guide.nodes.X4 = step({ variants: [{ before: '2023-01-01', value: 'X5' }, { value: 'T2' }] });
      c.guide.nodes.X5 = step(plain('X4'));
    });
    expect(broken).toEqual([
      problem(GUIDE, 'nodes.X4.next', /^går i ring uden et spørgsmål .*\(før 2023-01-01/),
      problem(GUIDE, 'nodes.X5.next', /^går i ring uden et spørgsmål .*\(før 2023-01-01/),
    ]);
  });

  it('a question with nothing to decide on some days and no "skipped" sentence', () => {
    expect(problemsAfter((c) => delete questionOf(c, 'Q1').skipped)).toEqual([
      problem(GUIDE, 'nodes.Q1', /alle svar fører samme sted hen \(fra 2023-06-30 .*skal have "skipped"/),
    ]);
  });

  it('a "skipped" sentence on a question that is always asked', () => {
    expect(problemsAfter((c) => (questionOf(c, 'Q0').skipped = { text: 'Det spørger vi ikke om.' }))).toEqual([
      problem(GUIDE, 'nodes.Q0.skipped', /springes aldrig over/),
    ]);
  });

  it('a plan step for an answer the question does not have, even one every object has', () => {
    const broken = problemsAfter((c) => {
      boxOf(c, 'O3').plan![0]!.when = { Q6: 'constructor', Q9: 'ja' };
    });
    expect(broken).toEqual([
      problem(GUIDE, 'nodes.O3.plan.0.when.Q6', /Q6: constructor er ikke et svar i guiden/),
      problem(GUIDE, 'nodes.O3.plan.0.when.Q9', /Q9: ja er ikke et svar i guiden/),
    ]);
  });

  it('a box without its source', () => {
    expect(problemsAfter((c) => delete c.guide.nodes.T2!.source)).toEqual([problem(GUIDE, 'nodes.T2.source', /mangler sin kilde/)]);
  });

  it('a topic that is no intent', () => {
    expect(problemsAfter((c) => (boxOf(c, 'O3').topic = 'borger'))).toEqual([problem(GUIDE, 'nodes.O3.topic', /borger er ikke et intent i intents\/faq\.yaml/)]);
  });
});

describe('intent rules (intents/)', () => {
  const keep = intentIndex('keep_nemid');
  const ends = intentIndex('nemid_end_dates');

  it('an example under two intents, or under an intent and out of scope, as the classifier reads it', () => {
    const example = content.intents.intents.get('keep_nemid')!.examples[0]!;
    const twice = problemsAfter((c) => intentOf(c, 'nemid_end_dates').examples.push(example.toUpperCase()));
    expect(twice).toEqual([
      problem(FAQ, `intents.${ends}.examples.${content.intents.intents.get('nemid_end_dates')!.examples.length}`, /^nemid_end_dates: eksemplet .* står også under .* keep_nemid$/),
    ]);
    const outOfScope = problemsAfter((c) => (c.intents.outOfScope = [...c.intents.outOfScope, example]));
    expect(outOfScope).toEqual([problem(OUT_OF_SCOPE, `examples.${content.intents.outOfScope.length}`, /^none: eksemplet .* keep_nemid$/)]);
  });

  it('two intents with one title', () => {
    expect(problemsAfter((c) => (intentOf(c, 'nemid_end_dates').title = 'Kan jeg beholde NemID?'))).toEqual([
      problem(FAQ, `intents.${ends}.title`, /^nemid_end_dates: samme titel som .* keep_nemid$/),
    ]);
  });

  it('an intent that offers itself as a follow-up', () => {
    const followUps = content.intents.intents.get('keep_nemid')!.followUps.length;
    expect(problemsAfter((c) => intentOf(c, 'keep_nemid').followUps.push('keep_nemid'))).toEqual([
      problem(FAQ, `intents.${keep}.followUps.${followUps}`, /^keep_nemid: peger på sig selv/),
    ]);
  });

  it('an answer with facts and no source; small talk needs none', () => {
    expect(problemsAfter((c) => (intentOf(c, 'keep_nemid').sources = []))).toEqual([problem(FAQ, `intents.${keep}.sources`, /ingen kilde/)]);
    expect(problemsAfter((c) => (intentOf(c, 'thanks').sources = []))).toEqual([]);
  });

  it('a follow-up topic that is no intent, and one that answers what the sources never say', () => {
    expect(problemsAfter((c) => (c.followUps.topics.borger = c.followUps.topics.borgerservice!))).toEqual([
      problem(FOLLOW_UPS, 'topics.borger', /borger er ikke et intent/),
    ]);
    expect(problemsAfter((c) => (c.followUps.topics.borgerservice!.answers.price = c.followUps.topics.borgerservice!.answers.bring))).toEqual([
      problem(FOLLOW_UPS, 'topics.borgerservice.answers.price', /neverInSources/),
    ]);
  });
});

describe('phrase and button rules', () => {
  it('a phrase under two commands', () => {
    const stop = content.phrases.commands.stop[0]!;
    expect(problemsAfter((c) => c.phrases.commands.help.push(stop))).toEqual([
      problem(PHRASES, `commands.help.${content.phrases.commands.help.length}`, new RegExp(`^"${stop}" står også under .* commands\\.stop$`)),
    ]);
  });

  it('a phrase under an answer and a command', () => {
    expect(problemsAfter((c) => c.phrases.answers.ja!.phrases.push('Start forfra'))).toEqual([
      problem(PHRASES, 'commands.restart.0', /står også under .* answers\.ja$/),
    ]);
  });

  it('a button that is no command, in messages.yaml and follow-ups.yaml', () => {
    const welcome = content.messages.welcome.buttons!.length;
    expect(problemsAfter((c) => c.messages.welcome.buttons!.push('Bananer'))).toEqual([problem(MESSAGES, `welcome.buttons.${welcome}`, /knappen "Bananer" er ikke en kommando/)]);
    const notInSources = content.followUps.notInSources.buttons.length;
    expect(problemsAfter((c) => c.followUps.notInSources.buttons.push('Bananer'))).toEqual([problem(FOLLOW_UPS, `notInSources.buttons.${notInSources}`, /knappen "Bananer"/)]);
  });

  it('an intent title that is read as another command', () => {
    expect(problemsAfter((c) => (intentOf(c, 'keep_nemid').title = 'Stop guiden'))).toEqual([
      problem(FAQ, `intents.${intentIndex('keep_nemid')}.title`, /^keep_nemid: titlen læses som kommandoen .* stop$/),
    ]);
  });

  it("consent questions whose buttons are not consent's", () => {
    expect(problemsAfter((c) => (c.handoff.citizen.consentNoCall.buttons = ['Ja', 'Nej']))).toEqual([
      problem(HANDOFF, 'citizen.consentNoCall.buttons', /citizen\.consent: "Ja, send den videre", "Nej tak"$/),
    ]);
  });

  it('hand-over buttons the reader of that moment does not understand', () => {
    const broken = problemsAfter((c) => {
      c.handoff.citizen.queued.buttons = ['Bananer'];
      c.handoff.citizen.satisfaction.buttons = ['1', '2', '3', '4', 'seks'];
      c.handoff.citizen.failed.buttons = ['Bliv i køen'];
    });
    expect(broken).toEqual([
      problem(HANDOFF, 'citizen.queued.buttons.0', /"Bananer" forstås ikke af .*stay\/cancel/),
      problem(HANDOFF, 'citizen.failed.buttons.0', /"Bliv i køen" forstås ikke af .*commands/),
      problem(HANDOFF, 'citizen.satisfaction.buttons.4', /"seks" forstås ikke af .*scores/),
    ]);
  });
});

describe('placeholder rules', () => {
  it('a placeholder in a text said as it stands', () => {
    expect(problemsAfter((c) => (c.messages.help.text = plain('Hej {name}')))).toEqual([problem(MESSAGES, 'help.text', /^\{name\} bliver ikke udfyldt: teksten siges, som den står/)]);
  });

  it('a placeholder the code does not fill for that text', () => {
    expect(problemsAfter((c) => (c.handoff.citizen.queued.text += ' {agent}'))).toEqual([
      problem(HANDOFF, 'citizen.queued.text', /^\{agent\} bliver ikke udfyldt; koden udfylder kun \{caseId\}, \{position\}/),
    ]);
  });

  it('a brace that is no placeholder', () => {
    expect(problemsAfter((c) => (c.handoff.citizen.cancelled.text = 'Sag {caseId er lukket.'))).toEqual([problem(HANDOFF, 'citizen.cancelled.text', /en klamme/)]);
  });

  it('a dated variant is named by its place in the list', () => {
    const broken = problemsAfter((c) => {
      const answer = intentOf(c, 'keep_nemid').answer;
      answer.variants = answer.variants.map((v, i) => (i === 1 ? { ...v, value: `${v.value} {x}` } : v));
    });
    expect(broken).toEqual([problem(FAQ, `intents.${intentIndex('keep_nemid')}.answer.1.text`, /^\{x\} bliver ikke udfyldt/)]);
  });
});

describe('quote rules (intents/sources/)', () => {
  it('a guide quote the flowchart does not hold', () => {
    expect(problemsAfter((c) => (c.guide.nodes.T1!.source = 'Trin 9'))).toEqual([
      problem(GUIDE, 'nodes.T1.source', /citatet står ikke i saadan-faar-du-mitid-flowchart\.txt .*"Trin 9"/),
    ]);
  });

  it('a FAQ quote not in the file it names, though spaces may differ', () => {
    const index = intentIndex('keep_nemid');
    expect(problemsAfter((c) => (intentOf(c, 'keep_nemid').sources[0]!.quote = 'NemID lukker endeligt d. 30 juni 2024.'))).toEqual([
      problem(FAQ, `intents.${index}.sources.0.quote`, /citatet står ikke i fra-nemid-til-mitid\.txt/),
    ]);
    expect(problemsAfter((c) => (intentOf(c, 'keep_nemid').sources[0]!.quote = 'Selvom du får MitID,\n  skal du beholde   NemID indtil videre.'))).toEqual([]);
  });

  it('a quote in messages.yaml or handoff.yaml found in neither source', () => {
    expect(problemsAfter((c) => (c.messages.optOut.source = 'MitID er gratis.'))).toEqual([problem(MESSAGES, 'optOut.source', /citatet står ikke i kilderne/)]);
    expect(problemsAfter((c) => (c.handoff.citizen.otherHelp.source = 'Ring til os.'))).toEqual([problem(HANDOFF, 'citizen.otherHelp.source', /citatet står ikke i kilderne/)]);
  });

  it('a follow-up answer naming a source that does not exist', () => {
    expect(problemsAfter((c) => (c.followUps.topics.borgerservice!.answers.bring!.source.file = 'borgerservice.txt'))).toEqual([
      problem(FOLLOW_UPS, 'topics.borgerservice.answers.bring.source.file', /kilden borgerservice\.txt findes ikke/),
    ]);
  });

  it('a quote the sources no longer hold', () => {
    const sources = new Map(shippedSources);
    sources.set('saadan-faar-du-mitid-flowchart.txt', shippedSources.get('saadan-faar-du-mitid-flowchart.txt')!.replace(flowchartQuote, ''));
    expect(problemsAfter(() => {}, sources)).toEqual(expect.arrayContaining([problem(GUIDE, 'nodes.T1.source', /citatet står ikke i/)]));
  });
});

describe('texts true on the day they are said', () => {
  it('NemID spoken of as open after it closed', () => {
    expect(problemsAfter((c) => (c.messages.help.text = plain('NemID lukker endeligt 30. juni 2023.')))).toEqual([
      problem(MESSAGES, 'help.text', /^taler om NemID som åbent.* \(fra 2023-06-30/),
    ]);
  });

  it('NemID spoken of as closed before it closed', () => {
    const broken = problemsAfter((c) => {
      const answer = intentOf(c, 'keep_nemid').answer;
      answer.variants = answer.variants.map((v, i) => (i === 0 ? { ...v, value: 'NemID lukkede endeligt 30. juni 2023.' } : v));
    });
    expect(broken).toEqual([problem(FAQ, `intents.${intentIndex('keep_nemid')}.answer.0.text`, /^siger, at NemID er lukket.* \(før 2022-10-31/)]);
  });

  it('the banking stop of 31 October 2022 ahead after it, and past before it', () => {
    const broken = problemsAfter((c) => {
      const text = c.messages.optOut.text;
      text.variants = [
        { ...text.variants[0]!, value: 'Siden 31. oktober 2022 kan NemID ikke bruges til netbank.' },
        text.variants[1]!,
        { ...text.variants[2]!, value: 'Fra 31. oktober 2022 kan NemID ikke bruges til netbank.' },
      ];
    });
    expect(broken).toEqual([
      problem(MESSAGES, 'optOut.text.0.text', /^taler om 31\. oktober 2022 som fortid .*\(før 2022-10-31/),
      problem(MESSAGES, 'optOut.text.2.text', /^taler om 31\. oktober 2022 som en dag, der kommer .*\(fra 2023-06-30/),
    ]);
  });

  it('a guide box is held to the days it is reached, and what people write in quotes is no statement', () => {
    const said = 'Opret MitID ved hjælp af dit NemID.';
    expect(problemsAfter((c) => (c.guide.nodes.T2!.text = plain(said)))).toEqual([problem(GUIDE, 'nodes.T2.text', /^taler om NemID som åbent/)]);
    // O0 is only reached before NemID closed (Q1 is skipped from then on).
    expect(problemsAfter((c) => (c.guide.nodes.O0!.text = plain(said)))).toEqual([]);
    expect(problemsAfter((c) => (c.messages.help.text = plain('Skriv fx "kan jeg beholde NemID?".')))).toEqual([]);
  });
});

describe('held-out rules (test/eval/heldout.yaml)', () => {
  const after = (edit: (list: Array<{ text: string; intent: string }>) => void) => {
    const list = structuredClone(heldout);
    edit(list);
    return problemsAfter(() => {}, shippedSources, { heldout: list });
  };

  it('an unknown intent, and a sentence that is also a training example', () => {
    const example = content.intents.intents.get('keep_nemid')!.examples[3]!;
    expect(after((list) => list.push({ text: 'noget helt nyt om kage', intent: 'kage' }, { text: example, intent: 'keep_nemid' }))).toEqual([
      problem(HELDOUT, `utterances.${heldout.length}.intent`, /ukendt intent .* kage$/),
      problem(HELDOUT, `utterances.${heldout.length + 1}.text`, /står også i træningsdata/),
    ]);
  });

  it('too few for an intent, too few out of scope, too few in all', () => {
    expect(after((list) => list.splice(0, list.length, ...list.filter((u) => u.intent !== 'keep_nemid')))).toEqual([
      problem(HELDOUT, 'utterances', /^keep_nemid: kun 0, mindst 5/),
    ]);
    const thin = after((list) => list.splice(0, list.length, ...list.filter((u) => u.intent !== 'none').slice(0, 100)));
    expect(thin).toEqual(expect.arrayContaining([problem(HELDOUT, 'utterances', /^kun 100, mindst 150/), problem(HELDOUT, 'utterances', /^kun 0 uden for emnet, mindst 25/)]));
  });
});

describe('a broken copy of the content', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Three problems in two files: an arrow to nowhere and a duplicate title (guide.yaml, faq.yaml), a placeholder nobody fills. */
  function brokenCopy(): { root: string; expected: Problem[] } {
    dir = copyContentRoot();
    editYaml<{ nodes: Record<string, { next?: string }> }>(dir, GUIDE, (d) => (d.nodes.O2!.next = 'T9'));
    editYaml<{ intents: Array<{ id: string; title: string; answer: unknown }> }>(dir, FAQ, (d) => {
      d.intents.find((i) => i.id === 'nemid_end_dates')!.title = 'Kan jeg beholde NemID?';
      d.intents.find((i) => i.id === 'greeting')!.answer = 'Hej {name}!';
    });
    const expected = [
      problem(GUIDE, 'nodes.O2.next', /fører til "T9"/),
      problem(FAQ, `intents.${intentIndex('nemid_end_dates')}.title`, /samme titel/),
      problem(FAQ, `intents.${intentIndex('greeting')}.answer`, /\{name\} bliver ikke udfyldt/),
    ];
    return { root: dir, expected };
  }

  it('loadContent throws a ContentError naming every problem, one `file: path: message` line each', () => {
    const { root, expected } = brokenCopy();
    let thrown: unknown;
    try {
      loadContent(root);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ContentError);
    const error = thrown as ContentError;
    expect(error.problems).toEqual(expected);
    expect(error.message.split('\n')).toEqual(error.problems.map(formatProblem));
    expect(error.message).toMatch(/^dialogs\/guide\.yaml: nodes\.O2\.next: fører til "T9"/);
  });

  const contentCheck = (root?: string) =>
    spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [path.join(repoRoot, 'scripts', 'content-check.ts'), ...(root ? [root] : [])], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('npm run content:check exits 1 with one line per problem', () => {
    const { root, expected } = brokenCopy();
    const result = contentCheck(root);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(expected.length);
    expect(lines[0]).toMatch(/^dialogs\/guide\.yaml: nodes\.O2\.next: fører til "T9"/);
    expect(lines[1]).toMatch(new RegExp(`^intents/faq\\.yaml: intents\\.${intentIndex('nemid_end_dates')}\\.title: `));
    expect(lines[2]).toMatch(new RegExp(`^intents/faq\\.yaml: intents\\.${intentIndex('greeting')}\\.answer: \\{name\\}`));
  }, 60_000);

  it('npm run content:check names schema problems by their file relative to the root, and checks the held-out set', () => {
    dir = copyContentRoot();
    editYaml<Record<string, unknown>>(dir, MESSAGES, (d) => delete d.welcome);
    const schema = contentCheck(dir);
    expect(schema.status).toBe(1);
    expect(schema.stderr.trim()).toMatch(/^dialogs\/messages\.yaml: welcome: [^\n]+$/);

    editYaml<Record<string, unknown>>(dir, MESSAGES, (d) => (d.welcome = { text: content.messages.welcome.text.variants[0]!.value, buttons: content.messages.welcome.buttons }));
    editYaml<{ utterances: Array<{ text: string; intent: string }> }>(dir, HELDOUT, (d) => d.utterances.push({ text: 'noget om kage', intent: 'kage' }));
    const heldoutBroken = contentCheck(dir);
    expect(heldoutBroken.status).toBe(1);
    expect(heldoutBroken.stderr.trim()).toBe(`test/eval/heldout.yaml: utterances.${heldout.length}.intent: ukendt intent / unknown intent kage`);
  }, 60_000);

  it('npm run content:check on the shipped content exits 0 and says so', () => {
    const result = contentCheck();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^content OK/);
  }, 60_000);
});

describe('fill', () => {
  it('fills every placeholder it is given a value for', () => {
    expect(fill('Sag {caseId}: du er nummer {position} i køen ({caseId}).', { caseId: 'A7', position: 2 })).toBe('Sag A7: du er nummer 2 i køen (A7).');
    expect(fill('Ingen pladsholdere.', {})).toBe('Ingen pladsholdere.');
  });

  it('throws on a placeholder without a value, so no "{caseId}" is ever said', () => {
    expect(() => fill('Sag {caseId} er lukket.', { agent: 'Mette' })).toThrow(/\{caseId\}/);
    // Only own values count: every object has a "constructor".
    expect(() => fill('{constructor}', {})).toThrow(/\{constructor\}/);
  });
});
