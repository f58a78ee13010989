// A TCP front for the local Docker engine that a test can cut and restore, so the control
// plane sees the engine go away and come back while the engine itself (and every other test
// using it) carries on.
import { connect, createServer, type Server, type Socket } from "node:net";
import Dockerode from "dockerode";

export interface EngineProxy {
  docker: Dockerode;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startEngineProxy(socketPath = "/var/run/docker.sock"): Promise<EngineProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const engine = connect({ path: socketPath });
        sockets.add(client).add(engine);
        const drop = () => {
          client.destroy();
          engine.destroy();
          sockets.delete(client);
          sockets.delete(engine);
        };
        client.on("error", drop).on("close", drop);
        engine.on("error", drop).on("close", drop);
        client.pipe(engine).pipe(client);
      });
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port }, () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = async () => {
    // Connections first: close() waits for open connections (the event stream never ends).
    const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closing;
    server = undefined;
  };
  await listen();
  return {
    docker: new Dockerode({ host: "127.0.0.1", port, protocol: "http" }),
    cut,
    restore: listen,
    close: cut,
  };
}
