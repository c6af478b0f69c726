/**
 * A single-consumer async queue: the per-subscriber buffer of task events. The producer
 * (the task manager) checks {@link EventQueue.size} against its high-water mark and awaits
 * {@link EventQueue.whenBelow} before it takes more from the bus, so a queue holds at most
 * the high-water mark plus the events of one frame. push and shift are O(1).
 * Iteration ends after `end()` once buffered items are consumed; `return()` (a consumer
 * leaving early) detaches it and calls `onLeave`.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private ended = false;
  private readonly drainWaiters: { below: number; resolve: () => void }[] = [];

  constructor(private readonly onLeave: () => void = () => {}) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Items buffered, not yet taken by the consumer. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.ended) return;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
    this.releaseDrainWaiters(true);
  }

  /** Resolves once fewer than `n` items are buffered or the queue has ended. */
  whenBelow(n: number): Promise<void> {
    if (this.size < n || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ below: n, resolve }));
  }

  /** Resolves every {@link whenBelow} waiter now (the producer is stopping). */
  wake(): void {
    this.releaseDrainWaiters(true);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.head < this.items.length) {
          const item = this.items[this.head] as T;
          this.items[this.head] = undefined;
          this.head += 1;
          if (this.head === this.items.length) {
            this.items = [];
            this.head = 0;
          } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
            this.items = this.items.slice(this.head);
            this.head = 0;
          }
          this.releaseDrainWaiters(false);
          return Promise.resolve({ value: item, done: false });
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: () => {
        this.items = [];
        this.head = 0;
        this.end();
        this.onLeave();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private releaseDrainWaiters(all: boolean): void {
    if (this.drainWaiters.length === 0) return;
    for (let i = this.drainWaiters.length - 1; i >= 0; i--) {
      const w = this.drainWaiters[i];
      if (w !== undefined && (all || this.size < w.below)) {
        this.drainWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
