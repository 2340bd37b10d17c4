// The ceiling baseline: a bare node:http server that reads each request body and answers a constant,
// correctly sized XML-RPC response chosen by path (one per method shape, captured from Quire itself).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerMessage, ServerReply } from "./protocol.js";

const reply = (message: ServerReply) => process.send?.(message);

process.on("message", (message: ServerMessage) => {
  if (message.type === "stop") process.exit(0);
  if (message.type !== "responses") return;
  const bodies = new Map(Object.entries(message.responses).map(([path, xml]) => [path, Buffer.from(xml, "utf8")]));
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? "");
    req.on("data", () => {});
    req.on("end", () => {
      if (!body) {
        res.writeHead(404, { "Content-Length": 0 });
        res.end();
        return;
      }
      res.writeHead(200, { "Content-Type": "text/xml; charset=utf-8", "Content-Length": body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => reply({ type: "ready", port: (server.address() as AddressInfo).port }));
});
process.on("disconnect", () => process.exit(0));
