/**
 * Stateful sessions, each bound to the app and key generation that opened it. A session is only
 * ever found through {@link SessionRegistry.find} with the app of the current request, so a
 * session id alone authenticates nothing.
 */
import type { App } from "@mcpgate/core";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { McpServerLike } from "./options.js";

export interface Session {
  /** Clock time of the last request on this session. */
  lastSeen: number;
  readonly appId: string;
  readonly keyGeneration: number;
  readonly server: McpServerLike;
  readonly transport: StreamableHTTPServerTransport;
}

export class SessionRegistry {
  readonly #sessions = new Map<string, Session>();
  readonly #onError: (error: unknown, context: string) => void;
  readonly #clock: () => number;
  readonly #idleMs: number;

  constructor(options: {
    onError: (error: unknown, context: string) => void;
    clock: () => number;
    idleMs: number;
  }) {
    this.#onError = options.onError;
    this.#clock = options.clock;
    this.#idleMs = options.idleMs;
  }

  get size(): number {
    return this.#sessions.size;
  }

  add(id: string, session: Session): void {
    this.#sessions.set(id, session);
  }

  /** Forgets `id` if it still maps to `session` (called when its transport closes). */
  remove(id: string, session: Session): void {
    if (this.#sessions.get(id) === session) this.#sessions.delete(id);
  }

  /**
   * The session `id` of this app at this key generation, or `undefined` — indistinguishable for
   * an unknown id, another app's session and a session from before a regeneration. A session of
   * an older generation of the same app, or one idle for too long, is closed on the way.
   */
  find(id: string, app: App): Session | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined || session.appId !== app.id) return undefined;
    const now = this.#clock();
    if (session.keyGeneration === app.keyGeneration && now - session.lastSeen <= this.#idleMs) {
      session.lastSeen = now;
      return session;
    }
    void this.#close(id, session);
    return undefined;
  }

  /** Closes sessions idle for longer than the timeout (called periodically). */
  closeIdle(): Promise<void> {
    const cutoff = this.#clock() - this.#idleMs;
    const closing: Promise<void>[] = [];
    for (const [id, session] of this.#sessions) {
      if (session.lastSeen < cutoff) closing.push(this.#close(id, session));
    }
    return Promise.all(closing).then(() => undefined);
  }

  /** Closes every session of an app (its key was regenerated or it was deleted). */
  closeApp(appId: string): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [id, session] of this.#sessions) {
      if (session.appId === appId) closing.push(this.#close(id, session));
    }
    return Promise.all(closing).then(() => undefined);
  }

  closeAll(): Promise<void> {
    const closing = [...this.#sessions].map(([id, session]) => this.#close(id, session));
    return Promise.all(closing).then(() => undefined);
  }

  /** Closing the server closes its transport: open SSE streams end, the id is forgotten. */
  #close(id: string, session: Session): Promise<void> {
    this.#sessions.delete(id);
    return session.server.close().catch((error: unknown) => this.#onError(error, "closeSession"));
  }
}
