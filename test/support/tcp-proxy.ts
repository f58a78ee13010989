// A TCP proxy for fault injection in front of a real server (Postgres, Redis): "pass" forwards,
// "refuse" drops every connection and stops listening (the server is down: ECONNREFUSED),
// "blackhole" drops every connection and then accepts new ones without ever answering (a
// network partition: only timeouts notice).
import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "pass" | "refuse" | "blackhole";

export interface TcpProxy {
  port: number;
  setMode(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "pass";
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (mode === "blackhole") return; // held open, never answered
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as { port: number }).port;
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    async setMode(next) {
      // Leaving a mode drops what it held too: a black hole's half-open connections end when it heals.
      if (next !== "pass" || mode === "blackhole") dropAll();
      if (next === "refuse" && server.listening) await new Promise<void>((r) => server.close(() => r()));
      if (next !== "refuse" && !server.listening) await listen(port);
      mode = next;
    },
    async close() {
      dropAll();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
