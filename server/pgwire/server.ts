// TCP listener for the PostgreSQL v3 protocol.
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { SqlError, SqlState } from '../../core/errors.js';
import type { SessionFactory } from '../session/types.js';
import { Connection } from './connection.js';

export interface PgServerOptions {
  host: string;
  /** 0 = pick an ephemeral port (the actual one is returned) */
  port: number;
  factory: SessionFactory;
  /** When given, SSLRequest is answered 'S' and the connection upgraded with node:tls. */
  tls?: { key: Buffer; cert: Buffer };
  /** Further connections get ErrorResponse 53300 FATAL. Default: unlimited. */
  maxConnections?: number;
  /** Largest accepted frontend message in bytes. Default 256 MiB. */
  maxMessageSize?: number;
  log?: (msg: string) => void;
}

export interface PgServer {
  readonly port: number;
  /** Stops listening, drops all connections (their sessions are closed) and resolves when done. */
  close(): Promise<void>;
}

const DEFAULT_MAX_MESSAGE = 256 * 1024 * 1024;
const HARD_MAX_MESSAGE = 1024 * 1024 * 1024;

export function startPgServer(opts: PgServerOptions): Promise<PgServer> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(msg + '\n'));
  const maxMessageSize = Math.min(opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE, HARD_MAX_MESSAGE);
  const connections = new Set<Connection>();
  let active = 0;

  const server = createServer({ noDelay: true }, (socket: Socket) => {
    try {
      socket.setNoDelay(true);
      const tooMany = opts.maxConnections !== undefined && active >= opts.maxConnections;
      active++;
      let released = false;
      const conn: Connection = new Connection(socket, {
        factory: opts.factory,
        tls: opts.tls,
        maxMessageSize,
        rejectWith: tooMany ? new SqlError(SqlState.TooManyConnections, 'sorry, too many clients already') : undefined,
        log,
        onClose: () => {
          if (released) return;
          released = true;
          active--;
          connections.delete(conn);
        },
      });
      if (!released) connections.add(conn);
    } catch (err) {
      log(`pgwire: accepting a connection failed: ${String(err)}`);
      socket.destroy();
    }
  });
  server.on('error', (err) => log(`pgwire: server error: ${err.message}`));

  return new Promise((resolve, reject) => {
    const onListenError = (err: Error): void => reject(err);
    server.once('error', onListenError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onListenError);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      resolve({
        port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          for (const c of [...connections]) c.destroy();
        }),
      });
    });
  });
}
