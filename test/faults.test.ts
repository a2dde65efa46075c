import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activity, exited, post, startProcess } from './helpers/http-bot';

// Today the guide begins at Q2 (since NemID closed, Q1 has nothing to decide).
const Q2 = 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?';
const Q3_START = 'Har du adgang til en smartphone, som kan scanne pas?';
const Q4 = 'Har du en smartphone eller tablet?';
const CONVERSATIONS = 24;
// Each citizen goes round Q2 → Q3 → Q4 and starts again; the question a message leads to:
const SCRIPT: Array<{ say: string; leadsTo: string }> = [
  { say: 'Ja', leadsTo: Q3_START },
  { say: 'Ja', leadsTo: Q4 },
  { say: 'start forfra', leadsTo: Q2 },
];

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-faults-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const question = (texts: string[]) => texts.at(-1) ?? '';

describe('a process killed with kill -9 in the middle of a load run', () => {
  it('resumes every conversation from its last completed turn after a restart', async () => {
    const env = { DATA_DIR: dataDir };
    const first = await startProcess(env);
    // What each citizen last saw, and what they had sent when the process died.
    const last = new Map<string, string>();
    const inFlight = new Map<string, string>();
    for (let i = 0; i < CONVERSATIONS; i++) {
      const id = `load-${i}`;
      const started = await post(first.url, activity(id, { text: 'Hjælp mig med at få MitID' }));
      last.set(id, question(started.texts));
    }
    let stop = false;
    let turns = 0;
    const citizens = [...last.keys()].map(async (id, i) => {
      for (let step = i % SCRIPT.length; !stop; step = (step + 1) % SCRIPT.length) {
        const { say, leadsTo } = SCRIPT[step]!;
        inFlight.set(id, leadsTo);
        try {
          const reply = await post(first.url, activity(id, { text: say }));
          if (reply.status !== 200) return;
          last.set(id, question(reply.texts));
          inFlight.delete(id);
          turns++;
        } catch {
          return; // the process is gone
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    first.child.kill('SIGKILL');
    await exited(first.child);
    stop = true;
    await Promise.all(citizens);
    expect(turns).toBeGreaterThan(CONVERSATIONS);

    const second = await startProcess(env);
    try {
      for (const [id, seen] of last) {
        // "hjælp" answers and asks the conversation's open question again.
        const resumed = question((await post(second.url, activity(id, { text: 'hjælp' }))).texts);
        // The last completed turn is the one the citizen saw, or the one in flight if it was
        // stored just before the kill (its reply never arrived).
        const allowed = [seen, inFlight.get(id)].filter((q): q is string => q !== undefined);
        expect(allowed.some((q) => resumed.startsWith(q.slice(0, 40))), `${id}: saw "${seen}", resumed at "${resumed}"`).toBe(true);
      }
    } finally {
      second.child.kill('SIGKILL');
      await exited(second.child);
    }
  }, 90_000);
});

describe('SIGTERM in the middle of a load run', () => {
  it('lets every turn in flight finish with its answer, stores it, and exits 0', async () => {
    const env = { DATA_DIR: dataDir };
    const bot = await startProcess(env);
    const ids = Array.from({ length: CONVERSATIONS }, (_, i) => `term-${i}`);
    for (const id of ids) await post(bot.url, activity(id, { text: 'Hjælp mig med at få MitID' }));
    // Every citizen answers "Ja" at once; the signal comes while those turns are in flight.
    const answers = ids.map((id) => post(bot.url, activity(id, { text: 'Ja' })).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 20));
    bot.child.kill('SIGTERM');
    const [replies, code] = await Promise.all([Promise.all(answers), exited(bot.child)]);
    expect(code).toBe(0);
    const answered = ids.filter((_, i) => replies[i]?.status === 200);
    // A request that reached the server was answered in full; one that came after the signal was refused (503) or not connected.
    for (const [i, reply] of replies.entries()) {
      if (reply?.status === 200) expect(question(reply.texts).startsWith(Q3_START), question(reply.texts)).toBe(true);
      else expect(reply === undefined || reply.status === 503, `${ids[i]}: ${reply?.status}`).toBe(true);
    }
    expect(answered.length).toBeGreaterThan(0);

    const again = await startProcess(env);
    try {
      for (const id of ids) {
        const resumed = question((await post(again.url, activity(id, { text: 'hjælp' }))).texts);
        if (answered.includes(id)) expect(resumed.startsWith(Q3_START), resumed).toBe(true);
        else expect(resumed).toBe(Q2);
      }
    } finally {
      again.child.kill('SIGKILL');
      await exited(again.child);
    }
  }, 90_000);
});

