import * as http from 'http';
import * as net from 'net';

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts an HTTP server on 127.0.0.1 and returns its base URL. */
export function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`));
  });
}

/** Closes a server, cutting any connection still open (a hanging request, a keep-alive socket). */
export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A server whose view of the requests a failed client run prints (see `RepositoryProxy.watch`). */
export interface Watchable {
  /** Starts watching; the returned function gives the trace lines since. */
  watch(): () => string[];
}

/** The time of day with milliseconds (UTC), which starts every trace line, so lines of several servers sort together. */
export function clock(): string {
  return new Date().toISOString().slice(11, 23);
}
