/**
 * Stateful sessions, each bound to the app and key generation that opened it. A session is only
 * ever found through {@link SessionRegistry.find} with the app of the current request, so a
 * session id alone authenticates nothing.
 *
 * Sessions are capped per app and globally. Real clients rarely send DELETE, so a full cap first
 * evicts the least recently used idle session (no request or stream open on it): of the app
 * itself for the per-app cap, of the app holding the most sessions for the global one. Only when
 * nothing is idle is the `initialize` refused. With the per-app cap below the global one, no
 * single app can take every session.
 */
import type { ServerResponse } from "node:http";
import type { App } from "@mcpgate/core";

/** One session: its server and transport (SDK 1.x or v2: the registry only closes the server). */
export interface Session<Transport = unknown> {
  /** Clock time of the last request on this session (its start and its end). */
  lastSeen: number;
  /** HTTP requests (POSTs, GET streams) open on this session right now. */
  open: number;
  readonly appId: string;
  readonly keyGeneration: number;
  readonly server: { close(): Promise<void> };
  readonly transport: Transport;
}

/** Why a new session cannot be opened: the app's own cap or the server's. */
export type SessionRefusal = "app" | "global";

/** A place for one session, held from the `initialize` until the session exists or fails. */
export interface SessionReservation {
  readonly appId: string;
  /** Gives the place back (the `initialize` was refused). Idempotent. */
  release(): void;
}

export class SessionRegistry<Transport = unknown> {
  /** Every session, least recently used first (a use moves it to the end). */
  readonly #sessions = new Map<string, Session<Transport>>();
  /** Per app, the same order. */
  readonly #byApp = new Map<string, Map<string, Session<Transport>>>();
  /** Places reserved by `initialize` requests still in flight, per app. */
  readonly #reserved = new Map<string, number>();
  #reservedTotal = 0;
  readonly #onError: (error: unknown, context: string) => void;
  readonly #clock: () => number;
  readonly #idleMs: number;
  readonly #maxSessions: number;
  readonly #maxPerApp: number;

  constructor(options: {
    onError: (error: unknown, context: string) => void;
    clock: () => number;
    idleMs: number;
    maxSessions: number;
    maxSessionsPerApp: number;
  }) {
    this.#onError = options.onError;
    this.#clock = options.clock;
    this.#idleMs = options.idleMs;
    this.#maxSessions = options.maxSessions;
    this.#maxPerApp = options.maxSessionsPerApp;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Open sessions of one app. */
  countOf(appId: string): number {
    return this.#byApp.get(appId)?.size ?? 0;
  }

  /**
   * Reserves a place for a new session of `app`, evicting idle sessions as needed, or says which
   * cap is full with nothing idle to evict.
   */
  reserve(app: App): SessionReservation | SessionRefusal {
    const appId = app.id;
    while (this.countOf(appId) + (this.#reserved.get(appId) ?? 0) >= this.#maxPerApp) {
      if (!this.#evictIdle(this.#byApp.get(appId))) return "app";
    }
    while (this.#sessions.size + this.#reservedTotal >= this.#maxSessions) {
      if (!this.#evictIdle(this.#largestApp()) && !this.#evictIdle(this.#sessions)) {
        return "global";
      }
    }
    this.#reserved.set(appId, (this.#reserved.get(appId) ?? 0) + 1);
    this.#reservedTotal++;
    let held = true;
    return {
      appId,
      release: () => {
        if (!held) return;
        held = false;
        this.#reservedTotal--;
        const left = (this.#reserved.get(appId) ?? 1) - 1;
        if (left === 0) this.#reserved.delete(appId);
        else this.#reserved.set(appId, left);
      },
    };
  }

  /** Turns a reservation into a session. */
  add(id: string, session: Session<Transport>, reservation: SessionReservation): void {
    reservation.release();
    this.#sessions.set(id, session);
    let sessions = this.#byApp.get(session.appId);
    if (sessions === undefined) this.#byApp.set(session.appId, (sessions = new Map()));
    sessions.set(id, session);
  }

  /** Forgets `id` if it still maps to `session` (called when its transport closes). */
  remove(id: string, session: Session<Transport>): void {
    if (this.#sessions.get(id) !== session) return;
    this.#sessions.delete(id);
    const sessions = this.#byApp.get(session.appId);
    sessions?.delete(id);
    if (sessions?.size === 0) this.#byApp.delete(session.appId);
  }

  /**
   * The session `id` of this app at this key generation, or `undefined` — indistinguishable for
   * an unknown id, another app's session and a session from before a regeneration. A session of
   * an older generation of the same app, or one idle for too long, is closed on the way.
   */
  find(id: string, app: App): Session<Transport> | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined || session.appId !== app.id) return undefined;
    const now = this.#clock();
    if (session.keyGeneration === app.keyGeneration && now - session.lastSeen <= this.#idleMs) {
      session.lastSeen = now;
      this.#touch(id, session);
      return session;
    }
    void this.#close(id, session);
    return undefined;
  }

  /** Counts `res` as open on `session` until it closes: a session with an open request is not idle. */
  track(session: Session<Transport>, res: ServerResponse): void {
    res.once("close", this.open(session));
  }

  /** Counts one request as open on `session`; call the returned function (once) when it ends. */
  open(session: Session<Transport>): () => void {
    session.open++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      session.open--;
      session.lastSeen = this.#clock();
    };
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
    const closing = [...(this.#byApp.get(appId) ?? [])].map(([id, s]) => this.#close(id, s));
    return Promise.all(closing).then(() => undefined);
  }

  closeAll(): Promise<void> {
    const closing = [...this.#sessions].map(([id, session]) => this.#close(id, session));
    return Promise.all(closing).then(() => undefined);
  }

  #touch(id: string, session: Session<Transport>): void {
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    const sessions = this.#byApp.get(session.appId);
    sessions?.delete(id);
    sessions?.set(id, session);
  }

  #largestApp(): Map<string, Session<Transport>> | undefined {
    let largest: Map<string, Session<Transport>> | undefined;
    for (const sessions of this.#byApp.values()) {
      if (largest === undefined || sessions.size > largest.size) largest = sessions;
    }
    return largest;
  }

  /** Closes the least recently used idle session of `sessions`; false when none is idle. */
  #evictIdle(sessions: Map<string, Session<Transport>> | undefined): boolean {
    if (sessions === undefined) return false;
    for (const [id, session] of sessions) {
      if (session.open === 0) {
        void this.#close(id, session);
        return true;
      }
    }
    return false;
  }

  /** Closing the server closes its transport: open SSE streams end, the id is forgotten. */
  #close(id: string, session: Session<Transport>): Promise<void> {
    this.remove(id, session);
    return session.server.close().catch((error: unknown) => this.#onError(error, "closeSession"));
  }
}
