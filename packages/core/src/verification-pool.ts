/**
 * Bounds Argon2 work: at most `concurrency` verifications run at once (sized to libuv's
 * threadpool), at most `maxQueue` wait; past that a request is refused with `overloaded` at once
 * instead of piling up behind thousands of others.
 */
import { OverloadedError } from "./errors.js";

export class VerificationPool {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {}

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.maxQueue) throw new OverloadedError();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same) or release it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
