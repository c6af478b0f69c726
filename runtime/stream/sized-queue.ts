/**
 * A first-in first-out queue that knows how many items and how many bytes it holds, so the
 * owner can bound both (a stream's frames waiting for a slow consumer: spec/bus.md "Stream
 * buffers"). Shifting is O(1): the backing array is dropped once it has been read to the end.
 */
export class SizedQueue<T> {
  #items: (T | undefined)[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;

  /** Items waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Sum of the sizes of the items waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends `item`, counted as `bytes`. */
  push(item: T, bytes: number): void {
    this.#items.push(item);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
  }

  /** Takes the oldest item; undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#bytes -= this.#sizes[this.#head++]!;
    if (this.#head === this.#items.length) this.clear();
    return item;
  }

  /** Drops everything. */
  clear(): void {
    this.#items = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
