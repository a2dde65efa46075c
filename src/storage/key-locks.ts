/** One queue per key: a key's tasks run one after another, other keys' are not held up. */
export class KeyLocks {
  /** Tail of each key's queue; an entry exists only while work for that key is queued or running. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  /** Runs `task` after every earlier task for `key`. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      // Someone queued behind us owns the entry now; otherwise the key is idle and the entry must go.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
