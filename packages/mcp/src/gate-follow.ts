/**
 * What both majors' endpoints do with the gate's change feed and the clock: a policy update tells
 * the app's open clients their lists changed; a regenerate or delete closes the app's sessions
 * and forgets its rate limit; idle sessions are closed periodically.
 */
import type { Gate } from "@mcpgate/core";
import type { PolicyWatchers } from "./isolation.js";
import type { RateLimiter } from "./rate-limit.js";
import type { SessionRegistry } from "./sessions.js";

/** Follows the gate's changes; returns the unsubscribe function. */
export function followGate(
  gate: Gate,
  parts: { watchers: PolicyWatchers; rateLimiter: RateLimiter; sessions: SessionRegistry<unknown> },
): () => void {
  return gate.onChange((event) => {
    // Policies are read per request; open sessions stay valid and are told to refresh their lists.
    if (event.type === "updated") return parts.watchers.policyChanged(event.appId);
    parts.rateLimiter.forget(event.appId);
    void parts.sessions.closeApp(
      event.appId,
      event.type === "deleted" ? "app_deleted" : "key_regenerated",
    );
  });
}

/** Closes idle sessions at least every minute (stateful endpoints only); `clearInterval` it. */
export function sweepIdleSessions(
  sessions: SessionRegistry<unknown>,
  idleMs: number,
): ReturnType<typeof setInterval> {
  return setInterval(() => void sessions.closeIdle(), Math.min(idleMs, 60_000)).unref();
}
