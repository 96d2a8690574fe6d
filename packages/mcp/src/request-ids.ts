/**
 * Every request the server sees gets an id of its own, so each response is matched to exactly the
 * request that caused it (its app and method) whatever ids the client chose: duplicates in one
 * batch, or the same id on concurrent HTTP requests of a session. Responses leave with the
 * client's id again. Filtering by matching the client's ids in the response stream cannot tell
 * two requests with one id apart; this can.
 */
import type { App } from "@mcpgate/core";
import type { RequestId } from "./message-shapes.js";

/** A request handed to the server and not answered yet. */
export interface PendingRequest {
  /** The id the client chose (what the response must carry). */
  readonly clientId: RequestId;
  readonly method: string;
  /** The app of the HTTP request that carried it. */
  readonly app: App;
}

const PREFIX = "mcpgate-";

export class RequestIds {
  #next = 0;
  readonly #pending = new Map<RequestId, PendingRequest>();

  /** Records `request`; returns the id the server sees instead of the client's. */
  assign(request: PendingRequest): string {
    const id = `${PREFIX}${++this.#next}`;
    this.#pending.set(id, request);
    return id;
  }

  /** The pending request behind a server-side id. */
  get(id: RequestId): PendingRequest | undefined {
    return this.#pending.get(id);
  }

  /** Forgets and returns the pending request behind a server-side id (its response is leaving). */
  settle(id: RequestId): PendingRequest | undefined {
    const pending = this.#pending.get(id);
    if (pending !== undefined) this.#pending.delete(id);
    return pending;
  }

  /** Server-side ids of pending requests the client knows as `clientId` (to cancel them). */
  idsOf(clientId: RequestId): RequestId[] {
    const ids: RequestId[] = [];
    for (const [id, pending] of this.#pending) if (pending.clientId === clientId) ids.push(id);
    return ids;
  }

  clear(): void {
    this.#pending.clear();
  }
}
