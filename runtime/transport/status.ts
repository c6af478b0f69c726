/**
 * Status fan-out shared by the transports: a listener set whose listeners never break the
 * transport (a throwing listener is ignored).
 */
import type { StatusListener, TransportStatus } from "./types.js";

export class StatusEmitter {
  readonly #listeners = new Set<StatusListener>();

  /** Adds `listener`; the returned function removes it. */
  on(listener: StatusListener): () => void {
    // Wrap so the same function can be registered twice and removed once per registration.
    const entry: StatusListener = (s) => listener(s);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Calls every listener now with `status`. */
  emit(status: TransportStatus): void {
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch {
        // A status listener has nobody to report to; it must not break delivery.
      }
    }
  }

  /** Calls every listener with `status` in a microtask (used where a sync emit would run inside `publish`). */
  emitSoon(status: TransportStatus): void {
    queueMicrotask(() => this.emit(status));
  }

  clear(): void {
    this.#listeners.clear();
  }
}
