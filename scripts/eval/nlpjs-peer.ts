/**
 * The peer `npm run eval` measures against: NLP.js (`@nlpjs/basic` with `@nlpjs/lang-da`),
 * trained on exactly our examples, with the out-of-scope examples as its `None` intent.
 * NLP.js answers `None` itself below its own threshold; nothing of ours is added.
 */
import type { Example } from '../../src/nlu/intent-classifier';

interface NlpjsManager {
  addLanguage(locale: string): void;
  addDocument(locale: string, text: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, text: string): Promise<{ intent: string; score: number }>;
}

export interface Peer {
  name: string;
  trainMs: number;
  classify(text: string): Promise<string>;
}

export async function nlpjsPeer(examples: readonly Example[], none: string): Promise<Peer> {
  // @nlpjs/basic loads its pino logger, which warns that an option it sets is deprecated.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dockStart } = require('@nlpjs/basic') as { dockStart(settings: unknown): Promise<{ get(name: 'nlp'): NlpjsManager; getContainer(): { use(plugin: unknown): void } }> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LangDa } = require('@nlpjs/lang-da') as { LangDa: unknown };
  process.emitWarning = emitWarning;
  const started = performance.now();
  // Without a logger in `use` NLP.js logs nothing; `nlu.log: false` silences its training epochs.
  const dock = await dockStart({ settings: { nlp: { autoSave: false, autoLoad: false, nlu: { log: false } } }, use: ['Nlp', 'Evaluator'] });
  dock.getContainer().use(LangDa);
  const nlp = dock.get('nlp');
  nlp.addLanguage('da');
  for (const e of examples) nlp.addDocument('da', e.text, e.intent === none ? 'None' : e.intent);
  await nlp.train();
  return {
    name: 'NLP.js',
    trainMs: performance.now() - started,
    classify: async (text) => {
      const { intent } = await nlp.process('da', text);
      return intent === 'None' ? none : intent;
    },
  };
}
