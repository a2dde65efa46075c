import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StoreItems } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { fixedClock } from '../src/clock';
import { parseConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { SqliteStorage, sqliteFile } from '../src/storage/sqlite-storage';
import { Replies } from '../src/dialogs/replies';
import { content, recognizer } from './helpers/bot-harness';
import { activity, post } from './helpers/http-bot';

const Q2 = 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?';
const Q3 = 'Har du adgang til en smartphone, som kan scanne pas?';
const asks = (texts: string[], question: string) => texts.at(-1)?.startsWith(question) ?? false;
const Q4 = 'Har du en smartphone eller tablet?';
const APOLOGY = new Replies(content, fixedClock('2026-12-02T12:00:00+01:00')).message('turnError').text;

/** SQLite storage that refuses the conversation's writes while `failing` is set, as a storage outage or an eTag conflict would. */
class FlakyStorage extends SqliteStorage {
  failing = false;
  override async write(changes: StoreItems): Promise<void> {
    if (this.failing && Object.keys(changes).some((key) => key.includes('/conversations/'))) throw new Error('storage refused the write');
    return super.write(changes);
  }
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function bot(): Promise<{ url: string; storage: FlakyStorage }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mitid-delivery-'));
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const storage = new FlakyStorage({ file: sqliteFile(dataDir) });
  const app = createApp({ config, content, storage, clock: fixedClock('2026-12-02T12:00:00+01:00'), logger: createLogger('silent'), recognizer });
  const port = await app.listen();
  stops.push(() => app.close());
  return { url: `http://127.0.0.1:${port}`, storage };
}

describe('an activity sent twice (same id) is processed once', () => {
  it('the second gets the replies of the first, and the guide moves on by one answer only', async () => {
    const { url } = await bot();
    expect((await post(url, activity('twice', { id: 'm-1', text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(Q2);
    const first = await post(url, activity('twice', { id: 'm-2', text: 'ja' }));
    expect(asks(first.texts, Q3)).toBe(true);
    const again = await post(url, activity('twice', { id: 'm-2', text: 'ja' }));
    expect(again.status).toBe(200);
    expect(again.texts).toEqual(first.texts);
    // Had the resent "ja" been applied, this "ja" would answer Q4.
    expect((await post(url, activity('twice', { id: 'm-3', text: 'ja' }))).texts.at(-1)).toBe(Q4);
  });

  it("Web Chat's clientActivityID counts as the same activity however the id differs", async () => {
    const { url } = await bot();
    await post(url, activity('client-id', { id: 'a', text: 'Hjælp mig med at få MitID' }));
    const first = await post(url, activity('client-id', { id: 'b', text: 'ja', channelData: { clientActivityID: 'web-1' } }));
    const again = await post(url, activity('client-id', { id: 'c', text: 'ja', channelData: { clientActivityID: 'web-1' } }));
    expect(again.texts).toEqual(first.texts);
  });
});

describe('replies leave only once the state is stored', () => {
  it('when the save fails the person gets the apology alone, and the answer is not applied', async () => {
    const { url, storage } = await bot();
    expect((await post(url, activity('refused', { text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(Q2);
    storage.failing = true;
    const refused = await post(url, activity('refused', { text: 'ja' }));
    expect(refused.texts).toEqual([APOLOGY]);
    storage.failing = false;
    // The same question still stands: the "ja" is taken now, once.
    expect(asks((await post(url, activity('refused', { text: 'ja' }))).texts, Q3)).toBe(true);
  });
});
