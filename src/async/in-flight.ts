/**
 * Work started but not finished (storage writes, Direct Line turns), so shutdown can wait for
 * it. Finished work is forgotten whether it succeeded or failed; the caller keeps its result.
 */
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  track<T>(operation: Promise<T>): Promise<T> {
    this.work.add(operation);
    const forget = (): void => {
      this.work.delete(operation);
    };
    // Two-argument then, so the bookkeeping promise never carries the rejection (no unhandled rejection).
    operation.then(forget, forget);
    return operation;
  }

  get size(): number {
    return this.work.size;
  }

  /** Resolves when everything started so far has settled, or after `timeoutMs` if given. */
  async settled(timeoutMs?: number): Promise<void> {
    if (this.work.size === 0) return;
    const all = Promise.allSettled([...this.work]).then(() => undefined);
    if (timeoutMs === undefined) return all;
    await Promise.race([all, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
