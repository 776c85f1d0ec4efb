import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy whose connections can be cut, to drop a client's socket without touching the server. */
export interface TcpProxy {
  port: number;
  /** Destroys every proxied connection (both sides); new connections are accepted as before. */
  cut(): void;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    cut,
    close: () =>
      new Promise<void>((r) => {
        cut();
        server.close(() => r());
      }),
  };
}
