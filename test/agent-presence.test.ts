import { MemoryStorage, type Storage } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { AgentPresence } from '../src/handoff/agent-presence';
import { movableClock } from './helpers/directline-server';

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('AgentPresence on shared storage (several instances)', () => {
  it('an agent seen by one instance is online on the other; a sign-out on either ends it everywhere', async () => {
    const clock = movableClock();
    const storage = new MemoryStorage();
    const a = new AgentPresence(clock, storage, { readEveryMs: 0 });
    const b = new AgentPresence(clock, storage, { readEveryMs: 0 });
    a.seen('anna');
    await settle();
    expect(await b.online()).toEqual(['anna']);
    b.signedOut('anna');
    await settle();
    expect(await a.online()).toEqual([]);
    // She signs in again later: a sighting after the sign-out counts.
    clock.advance(1_000);
    a.seen('anna');
    await settle();
    expect(await b.online()).toEqual(['anna']);
  });

  it('an agent not heard from anywhere within the window is gone, and sightings are written only when some seconds newer', async () => {
    const clock = movableClock();
    let writes = 0;
    const inner = new MemoryStorage();
    const counting: Storage = { read: (keys) => inner.read(keys), write: (changes) => (writes++, inner.write(changes)), delete: (keys) => inner.delete(keys) };
    const a = new AgentPresence(clock, counting, { readEveryMs: 0, windowMs: 60_000, writeEveryMs: 10_000 });
    const b = new AgentPresence(clock, counting, { readEveryMs: 0, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      a.seen('bo');
      clock.advance(1_000);
    }
    await settle();
    expect(writes).toBe(1);
    clock.advance(61_000);
    expect(await b.online()).toEqual([]);
    expect(await a.online()).toEqual([]);
  });

  it('with storage away, what this instance saw itself is the answer', async () => {
    const clock = movableClock();
    const down: Storage = { read: () => Promise.reject(new Error('down')), write: () => Promise.reject(new Error('down')), delete: () => Promise.reject(new Error('down')) };
    const a = new AgentPresence(clock, down, { readEveryMs: 0 });
    a.seen('anna');
    expect(await a.online()).toEqual(['anna']);
  });
});
