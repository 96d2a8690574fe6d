/**
 * The conformance CLI cannot add request headers, so the Bearer leg goes through this proxy: it
 * forwards every request unchanged (Host and Origin included, so the DNS-rebinding scenario still
 * reaches the gate's checks) with `Authorization: Bearer <key>` added, and streams the answer back.
 *   tsx bearer-proxy.ts <target url> <key>   prints `READY {"url"}`
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

const [target, key] = process.argv.slice(2);
if (!target || !key) throw new TypeError("usage: bearer-proxy.ts <target url> <key>");
const upstream = new URL(target);

const proxy = createServer((req, res) => {
  const forwarded = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, authorization: `Bearer ${key}` },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forwarded.once("error", () => res.destroy());
  res.once("close", () => forwarded.destroy());
  req.pipe(forwarded);
});
proxy.listen(0, "127.0.0.1", () => {
  const { port } = proxy.address() as AddressInfo;
  console.log(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}${upstream.pathname}` })}`);
});
process.once("SIGTERM", () => proxy.close());
