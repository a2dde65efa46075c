import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { BlobStorage } from '../src/storage/blob-storage';
import { content } from './helpers/bot-harness';
import { Azurite } from './helpers/azurite';
import { activity, post, startInProcess, startProcess } from './helpers/http-bot';
import type { BotStorage, StorageCallOptions } from '../src/storage/bot-storage';
import { DeadlineStorage } from '../src/storage/deadline-storage';
import type { StoreItems } from 'botbuilder';
import { FakeTeamsConnector, teamsActivity } from './helpers/teams-connector';
import { CASE_ID_IN_TEXT } from '../src/handoff/case-ids';
import { fill } from '../src/content/placeholders';

// Today the guide begins at the passport question (Q1 has nothing to decide since NemID closed).
const FIRST = 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?';
const SECOND = 'Har du adgang til en smartphone, som kan scanne pas? Det behøver ikke at være din egen. Du kan også få hjælp af en pårørende med en smartphone.';
const TURN_ERROR = content.messages.turnError.text.variants[0]!.value;
const ANNA = { id: '29:anna', name: 'Anna Jensen', aadObjectId: '22222222-2222-4222-8222-222222222222' };

let azurite: Azurite;
let dataDir: string;
let apps: App[] = [];
let container = 0;

beforeAll(async () => {
  azurite = await Azurite.start();
}, 30_000);

afterAll(async () => {
  await azurite.stop();
});

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-scale-'));
  container++;
});

afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
  rmSync(dataDir, { recursive: true, force: true });
});

/** One instance of the bot on the shared Azurite container of this test. */
async function instance(env: Record<string, string> = {}, wrap: (storage: BotStorage) => BotStorage = (s) => s): Promise<{ url: string; storage: BlobStorage }> {
  const blob = { STORAGE: 'blob', BLOB_CONNECTION_STRING: azurite.connectionString, BLOB_CONTAINER: `test-${process.pid}-${container}` };
  const storage = new BlobStorage({ connectionString: blob.BLOB_CONNECTION_STRING, container: blob.BLOB_CONTAINER });
  const started = await startInProcess(dataDir, { ...blob, ...env }, wrap(storage));
  apps.push(started.app);
  return { url: started.url, storage };
}

describe('BlobStorage on Azurite (botbuilder-azure-blobs)', () => {
  it('reads what it wrote (Danish text intact), refuses a stale eTag, lets "*" win, deletes, and answers the readiness probe', async () => {
    const storage = new BlobStorage({ connectionString: azurite.connectionString, container: `unit-${process.pid}` });
    await storage.ping();
    await storage.write({ 'conv/æøå': { text: 'Hjælp mig med at få MitID – øæå' } });
    const first = (await storage.read(['conv/æøå']))['conv/æøå'] as { text: string; eTag: string };
    expect(first.text).toBe('Hjælp mig med at få MitID – øæå');
    await storage.write({ 'conv/æøå': { text: 'anden', eTag: first.eTag } });
    await expect(storage.write({ 'conv/æøå': { text: 'forældet', eTag: first.eTag } })).rejects.toThrow(/eTag conflict/);
    await storage.write({ 'conv/æøå': { text: 'vinder', eTag: '*' } });
    expect(((await storage.read(['conv/æøå']))['conv/æøå'] as { text: string }).text).toBe('vinder');
    await storage.delete(['conv/æøå']);
    expect(await storage.read(['conv/æøå'])).toEqual({});
  });
});

describe('two instances on one Azurite', () => {
  it('serve one conversation alternately and it goes on correctly', async () => {
    const a = await instance();
    const b = await instance();
    expect((await post(a.url, activity('alt', { text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(FIRST);
    expect((await post(b.url, activity('alt', { text: 'Ja' }))).texts.at(-1)).toBe(SECOND);
    const third = await post(a.url, activity('alt', { text: 'Nej' }));
    expect(third.texts.join(' ')).toContain('Borgerservice');
  });

  it('two turns of one conversation at both at once: never both applied to the same state silently', async () => {
    const a = await instance();
    const b = await instance();
    let refused = 0;
    for (let round = 0; round < 8; round++) {
      const id = `race-${round}`;
      expect((await post(a.url, activity(id, { text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(FIRST);
      // "Ja" and "Nej" both answer the first question; applied one after the other, the second would answer the next one.
      const [yes, no] = await Promise.all([post(a.url, activity(id, { text: 'Ja' })), post(b.url, activity(id, { text: 'Nej' }))]);
      const answeredFirst = [yes.texts.at(-1) === SECOND, no.texts.join(' ').includes('Du kan få MitID i Borgerservice')].filter(Boolean).length;
      const errors = [yes, no].filter((r) => r.texts.includes(TURN_ERROR)).length;
      // Either the two turns ran one after the other, or the loser was refused with the apology.
      expect(answeredFirst <= 1 || errors >= 1, `round ${round}: ${JSON.stringify([yes.texts, no.texts])}`).toBe(true);
      refused += errors;
      expect([yes.status, no.status]).toEqual([200, 200]);
      // What the person was shown is what was stored: the conversation goes on from the reply that was not refused.
      const shown = [yes, no].find((r) => !r.texts.includes(TURN_ERROR));
      if (errors === 1 && shown) expect((await post(b.url, activity(id, { text: 'gentag' }))).texts.at(-1)).toBe(shown.texts.at(-1));
    }
    // The race is real: at least once in eight rounds one turn lost and was refused.
    expect(refused).toBeGreaterThan(0);
  }, 60_000);

  it('a citizen on one instance and an agent (Teams) on the other can chat', async () => {
    const teams = await new FakeTeamsConnector().start();
    try {
      const env = { TEAMS_AGENTS: `${ANNA.aadObjectId}=Anna Jensen` };
      const a = await instance(env);
      const b = await instance(env);
      const citizen = (text: string) => activity('citizen-1', { text, channelId: 'webchat', serviceUrl: teams.url });
      await post(a.url, citizen('Tal med en medarbejder'));
      const queued = await post(a.url, citizen('Ja, send den videre'));
      const caseId = CASE_ID_IN_TEXT.exec(queued.texts.join(' '))![0];

      const anna = (text: string) => teamsActivity(teams.url, 'personal', ANNA, { text });
      await post(b.url, anna(`/overtag ${caseId}`));
      await teams.waitFor(() => teams.texts('citizen-1').find((t) => t.includes('Du er nu i kontakt med en medarbejder, Anna Jensen')));
      await post(b.url, anna('Hej fra instans B'));
      await teams.waitFor(() => teams.texts('citizen-1').includes(fill(content.handoff.citizen.fromAgentNamed.text, { agent: 'Anna Jensen', text: 'Hej fra instans B' })));
      expect((await post(a.url, citizen('Hej fra instans A'))).texts).toEqual([]);
      await teams.waitFor(() => teams.texts(`a:personal-${ANNA.aadObjectId}`).includes(fill(content.handoff.agent.fromCitizen.text, { caseId, text: 'Hej fra instans A' })));
    } finally {
      await teams.close();
    }
  }, 60_000);
});

describe('storage faults', () => {
  it('storage unreachable: /readyz 503 and a short Danish apology; when it is back the bot goes on without a restart', async () => {
    const a = await instance();
    expect((await post(a.url, activity('fault', { text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(FIRST);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);

    await azurite.down();
    try {
      expect((await fetch(`${a.url}/readyz`)).status).toBe(503);
      const during = await post(a.url, activity('fault', { text: 'Ja' }));
      expect(during.status).toBe(200);
      expect(during.texts).toEqual([TURN_ERROR]);
    } finally {
      await azurite.up();
    }
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
    // Nothing half-written: the conversation is at its last completed turn, the first question.
    expect((await post(a.url, activity('fault', { text: 'Ja' }))).texts.at(-1)).toBe(SECOND);
  }, 60_000);
});

/** Waits until /readyz says 200 (storage back and the hand-over's records made). */
async function ready(url: string, withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while ((await fetch(`${url}/readyz`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline) throw new Error('not ready in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Times an async call. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('storage that stops answering (Azurite frozen with SIGSTOP)', () => {
  const deadlines = { STORAGE_TIMEOUT_MS: '1000', READY_TIMEOUT_MS: '500' };

  it('a turn ends with the apology within seconds, /readyz says 503 within its deadline, and the turn is never applied', async () => {
    const a = await instance(deadlines);
    expect((await post(a.url, activity('frozen', { text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(FIRST);
    azurite.pause();
    try {
      const probe = await timed(() => fetch(`${a.url}/readyz`));
      expect(probe.value.status).toBe(503);
      expect(probe.ms).toBeLessThan(3_000);
      const turn = await timed(() => post(a.url, activity('frozen', { text: 'Ja' })));
      expect(turn.value.texts).toEqual([TURN_ERROR]);
      expect(turn.ms).toBeLessThan(10_000);
    } finally {
      azurite.resume();
    }
    await ready(a.url);
    // The "Ja" that got the apology changed nothing: the same question is answered now.
    expect((await post(a.url, activity('frozen', { text: 'Ja' }))).texts.at(-1)).toBe(SECOND);
  }, 60_000);

  it('a state write sent just as storage froze does not land when it wakes up: the person answers the same question again', async () => {
    let guard: DeadlineStorage | undefined;
    let armed = false;
    // Freezes Azurite the moment the conversation's state is about to be written, so the request reaches a frozen server.
    const freezeBeforeStateWrite = (inner: BotStorage): BotStorage => {
      const freezing: BotStorage = {
        read: (keys: string[], options?: StorageCallOptions) => inner.read(keys, options),
        write: (changes: StoreItems, options?: StorageCallOptions) => {
          if (armed && Object.keys(changes).some((key) => key.includes('/conversations/'))) {
            armed = false;
            azurite.pause();
          }
          return inner.write(changes, options);
        },
        delete: (keys: string[], options?: StorageCallOptions) => inner.delete(keys, options),
        ping: (options?: StorageCallOptions) => inner.ping(options),
        flush: () => inner.flush(),
      };
      guard = new DeadlineStorage(freezing, { timeoutMs: 1_000, pingTimeoutMs: 500, retryMs: 100 });
      return guard;
    };
    const a = await instance(deadlines, freezeBeforeStateWrite);
    expect((await post(a.url, activity('late-write', { text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(FIRST);
    armed = true;
    try {
      expect((await post(a.url, activity('late-write', { text: 'Ja' }))).texts).toEqual([TURN_ERROR]);
      expect(guard!.unfenced.length).toBeGreaterThan(0);
    } finally {
      // Frozen a while, as a partition lasts: the late request is answered after the turn gave up.
      await new Promise((resolve) => setTimeout(resolve, 500));
      azurite.resume();
    }
    await ready(a.url);
    for (let i = 0; i < 100 && guard!.unfenced.length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(guard!.unfenced).toEqual([]);
    expect((await post(a.url, activity('late-write', { text: 'Ja' }))).texts.at(-1)).toBe(SECOND);
  }, 60_000);

  it('the server starts while storage is down, says not ready, and gets ready by itself when storage comes', async () => {
    await azurite.down();
    const env = { STORAGE: 'blob', BLOB_CONNECTION_STRING: azurite.connectionString, BLOB_CONTAINER: `start-${process.pid}`, DATA_DIR: dataDir, ...deadlines };
    let child: Awaited<ReturnType<typeof startProcess>>['child'] | undefined;
    try {
      const started = await startProcess(env);
      child = started.child;
      expect((await fetch(`${started.url}/readyz`)).status).toBe(503);
      expect((await post(started.url, activity('late-start', { text: 'Hjælp mig med at få MitID' }))).texts).toEqual([TURN_ERROR]);
      await azurite.up();
      await ready(started.url);
      expect((await post(started.url, activity('late-start', { text: 'Hjælp mig med at få MitID' }))).texts.at(-1)).toBe(FIRST);
      expect(child.exitCode).toBeNull();
    } finally {
      child?.kill('SIGKILL');
      await azurite.up();
    }
  }, 60_000);

  it("against an Azurite that refuses the SDK's API version the server keeps running, not ready, and says why in the log", async () => {
    const strict = await Azurite.start({ strictApiVersion: true });
    let child: Awaited<ReturnType<typeof startProcess>>['child'] | undefined;
    try {
      const started = await startProcess({ STORAGE: 'blob', BLOB_CONNECTION_STRING: strict.connectionString, BLOB_CONTAINER: `strict-${process.pid}`, DATA_DIR: dataDir, ...deadlines });
      child = started.child;
      expect((await fetch(`${started.url}/readyz`)).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(child.exitCode).toBeNull();
      expect(started.output()).toMatch(/API version/);
    } finally {
      child?.kill('SIGKILL');
      await strict.stop();
    }
  }, 60_000);
});
