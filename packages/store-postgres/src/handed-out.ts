/**
 * Which apps, at which key generation, the gates of this process may still hold (in a cache or in
 * an MCP session bound to the generation). A resync after a lost notification compares each with
 * the table, so it reports exactly what happened: `deleted`, `key_replaced` (also when the new key
 * was looked up during the outage: the oldest generation handed out is kept, not the newest), or
 * `updated`.
 */
import type { StoreEvent } from "@mcpgate/core";

export class HandedOutGenerations {
  /** App id → the oldest key generation handed out since its holders were last told of a change. */
  readonly #oldest = new Map<string, number>();

  /** A record left the store (`getByKeyId`): its holders now have this generation. */
  handedOut(appId: string, keyGeneration: number): void {
    const current = this.#oldest.get(appId);
    if (current === undefined || keyGeneration < current) this.#oldest.set(appId, keyGeneration);
  }

  /**
   * An event reached the subscribers: after `key_replaced` or `deleted` they hold nothing of the
   * app any more (caches evicted, sessions closed), so there is nothing to compare until the next
   * lookup.
   */
  delivered(event: StoreEvent): void {
    if (event.type !== "updated") this.#oldest.delete(event.appId);
  }

  /** The app ids to look up for a resync. */
  ids(): string[] {
    return [...this.#oldest.keys()];
  }

  /** What happened to each held app, given the generations now in the table (absent: deleted). */
  changes(current: ReadonlyMap<string, number>): StoreEvent[] {
    return [...this.#oldest].map(([appId, held]): StoreEvent => {
      const generation = current.get(appId);
      if (generation === undefined) return { type: "deleted", appId };
      return { type: generation === held ? "updated" : "key_replaced", appId };
    });
  }
}
