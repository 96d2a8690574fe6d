/**
 * A real store with a switch: while "down", every call rejects the way a dropped database
 * connection does. For testing fail-closed behaviour without mocking anything.
 */
import { STORE_METHODS, type Store } from "../store.js";

/** A store wrapper whose calls fail while `down` is true. */
export interface OutageStore {
  readonly store: Store;
  /** Calls made while down (they all rejected). */
  readonly failedCalls: number;
  down: boolean;
}

/**
 * Wraps `inner` so that every method rejects with `Error("connection refused")` while `down` is set.
 * `subscribe` is passed through.
 *
 * @example
 * ```ts
 * const outage = withOutage(new MemoryStore());
 * const gate = createGate({ store: outage.store });
 * outage.down = true; // every store call now rejects
 * ```
 */
export function withOutage(inner: Store): OutageStore {
  const state = { down: false, failedCalls: 0 };
  const store = {} as Record<string, unknown>;
  for (const method of STORE_METHODS) {
    store[method] = (...args: unknown[]) => {
      if (state.down) {
        state.failedCalls++;
        return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
      }
      return (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
    };
  }
  if (inner.subscribe) store.subscribe = inner.subscribe.bind(inner);
  return {
    store: store as unknown as Store,
    get failedCalls() {
      return state.failedCalls;
    },
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
  };
}
