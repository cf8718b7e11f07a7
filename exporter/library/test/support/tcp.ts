import net from 'node:net';

export interface TcpServer {
  port: number;
  close(): Promise<void>;
}

function listen(server: net.Server, sockets: Set<net.Socket>): Promise<TcpServer> {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/** A server that accepts connections and never answers: a dependency that hangs. */
export function blackHole(): Promise<TcpServer> {
  const sockets = new Set<net.Socket>();
  return listen(
    net.createServer(() => undefined),
    sockets,
  );
}

export interface FreezableProxy extends TcpServer {
  /** Stops forwarding in both directions (bytes are held, not lost): a dependency gone slow. */
  freeze(): void;
  /** Forwards what was held and resumes. */
  thaw(): void;
}

/** A TCP proxy to `port` on loopback that can be frozen, to make a real server slow on demand. */
export async function freezableProxy(port: number): Promise<FreezableProxy> {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const held: Array<() => void> = [];
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk) => {
      const send = () => {
        if (!to.destroyed) to.write(chunk);
      };
      if (frozen) held.push(send);
      else send();
    });
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    forward(client, upstream);
    forward(upstream, client);
  });
  const base = await listen(server, sockets);
  return {
    ...base,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const send of held.splice(0)) send();
    },
  };
}
