/**
 * The Bot Framework requests being answered, and whether the app has begun to close: a closing
 * app takes no new ones, and waits a while for those in flight before it flushes state.
 */
export class Requests {
  closing = false;
  private inFlight = 0;
  private idle: (() => void) | undefined;

  async track(work: () => Promise<void>): Promise<void> {
    this.inFlight++;
    try {
      await work();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    }
  }

  /** Resolves when no request is in flight any more, or after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => (this.idle = resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }
}
