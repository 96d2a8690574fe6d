/**
 * DNS-rebinding protection: a browser page on evil.example can resolve its own name to 127.0.0.1
 * and talk to a local server, but it cannot forge the `Host` header, and it sends its `Origin`.
 */
import type { IncomingMessage } from "node:http";

/**
 * Which `Host` and `Origin` values are accepted.
 *
 * @example
 * ```ts
 * const hosts: AllowedHosts = { allowedHosts: ["mcp.example.com"], allowedOrigins: ["https://app.example.com"] };
 * ```
 */
export interface AllowedHosts {
  /** Host names (no port), e.g. `["mcp.example.com"]`. Compared case-insensitively. */
  allowedHosts: readonly string[];
  /**
   * Exact origins, e.g. `["https://app.example.com"]`. Default: any origin whose host name is in
   * `allowedHosts`. Requests without `Origin` (non-browser clients) are always accepted.
   */
  allowedOrigins?: readonly string[];
}

/**
 * `"auto"`: enforce loopback names when the connection arrived on a loopback address; `false`:
 * never check; {@link AllowedHosts}: always check.
 *
 * @example
 * ```ts
 * createMcpEndpoint({ gate, server, mode: "stateless", hostValidation: { allowedHosts: ["mcp.example.com"] } });
 * ```
 */
export type HostValidation = "auto" | false | AllowedHosts;

const LOOPBACK_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === "::1" || /^(?:::ffff:)?127\./.test(address);
}

/** `Host: Example.com:8080` → `example.com`; `[::1]:3000` → `[::1]`. */
function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith("[")) return lower.slice(0, lower.indexOf("]") + 1);
  const colon = lower.indexOf(":");
  return colon === -1 ? lower : lower.slice(0, colon);
}

function originHostName(origin: string): string | undefined {
  try {
    return hostName(new URL(origin).host);
  } catch {
    return undefined;
  }
}

/** What the check reads of a request, whatever its runtime (node:http or fetch). */
export interface HostInput {
  host: string | undefined;
  origin: string | undefined;
  /** The local address the connection arrived on, when known (decides `"auto"`). */
  localAddress: string | undefined;
}

/**
 * Returns the refusal message, or `undefined` when the request may proceed. With `"auto"` and an
 * unknown local address (a fetch runtime that does not say), nothing is checked: such deployments
 * pass `allowedHosts` explicitly.
 */
export function createHostRule(setting: HostValidation): (input: HostInput) => string | undefined {
  if (setting === false) return () => undefined;
  const explicit =
    setting === "auto"
      ? undefined
      : {
          hosts: new Set(setting.allowedHosts.map((h) => h.toLowerCase())),
          origins:
            setting.allowedOrigins && new Set(setting.allowedOrigins.map((o) => o.toLowerCase())),
        };
  const loopback = { hosts: new Set(LOOPBACK_NAMES), origins: undefined };

  return ({ host, origin, localAddress }) => {
    const rules = explicit ?? (isLoopbackAddress(localAddress) ? loopback : undefined);
    if (rules === undefined) return undefined;
    if (host === undefined || !rules.hosts.has(hostName(host))) {
      return "Invalid Host header";
    }
    if (origin === undefined) return undefined;
    const allowed = rules.origins
      ? rules.origins.has(origin.toLowerCase())
      : rules.hosts.has(originHostName(origin) ?? "");
    return allowed ? undefined : "Invalid Origin header";
  };
}

/** {@link createHostRule} for a node:http request. */
export function createHostCheck(
  setting: HostValidation,
): (req: IncomingMessage) => string | undefined {
  const rule = createHostRule(setting);
  return (req) =>
    rule({
      host: req.headers.host,
      origin: req.headers.origin,
      localAddress: req.socket.localAddress,
    });
}
