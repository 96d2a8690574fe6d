/**
 * Bounds on the store reads of the authentication path: a deadline per lookup and a cap on
 * lookups not yet settled. Timeouts use one timer for all pending lookups, not one each: deadlines
 * are `start + timeoutMs` with a fixed `timeoutMs`, so insertion order is deadline order and the
 * oldest pending lookup is always the next to expire.
 */
import { ClosedError, OverloadedError, StoreUnavailableError, withoutStack } from "./errors.js";

interface Pending {
  deadline: number;
  reject: (error: Error) => void;
}

export class StoreLookups {
  /** Lookups the store has not answered yet, timed-out ones included (they hold a connection). */
  #unsettled = 0;
  /** Lookups whose caller still waits, oldest (= earliest deadline) first. */
  readonly #waiting = new Set<Pending>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly timeoutMs: number,
    readonly maxConcurrent: number,
    /** Wraps a store failure in a coded error. */
    readonly wrap: (cause: unknown) => Error,
  ) {}

  /** Runs `lookup` within the deadline, or rejects with `overloaded` when the cap is reached. */
  run<T>(lookup: () => Promise<T>): Promise<T> {
    if (this.#unsettled >= this.maxConcurrent)
      return Promise.reject(withoutStack(() => new OverloadedError(1, "store_lookups")));
    this.#unsettled++;
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: performance.now() + this.timeoutMs, reject };
      this.#waiting.add(entry);
      this.#arm();
      let pending: Promise<T>;
      try {
        pending = lookup();
      } catch (cause) {
        pending = Promise.reject(cause);
      }
      pending.then(
        (value) => {
          this.#unsettled--;
          if (this.#waiting.delete(entry)) resolve(value);
        },
        (cause: unknown) => {
          this.#unsettled--;
          if (this.#waiting.delete(entry)) reject(this.wrap(cause));
        },
      );
    });
  }

  /** Rejects every waiting lookup with `closed` and stops the timer. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const entry of this.#waiting) entry.reject(withoutStack(() => new ClosedError()));
    this.#waiting.clear();
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    const next = this.#waiting.values().next();
    if (next.done) return;
    const delay = Math.max(0, next.value.deadline - performance.now());
    this.#timer = setTimeout(() => this.#expire(), delay);
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const entry of this.#waiting) {
      if (entry.deadline > now) break;
      this.#waiting.delete(entry);
      entry.reject(withoutStack(() => new StoreUnavailableError(undefined, 1, "timeout")));
    }
    this.#arm();
  }
}
