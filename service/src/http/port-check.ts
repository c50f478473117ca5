// The port is tried before the data directory is touched, so a start that cannot listen leaves
// nothing behind (no new ledger, no keys). The probe listens and closes at once; a server that
// takes the port between the probe and the real listen still gets the same message.
import { createServer } from 'node:net';

/** The service cannot listen on host:port; the message says how to choose another port. */
export class PortUnavailableError extends Error {
  readonly code = 'PORT_UNAVAILABLE';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string
  ) {
    super(
      `cannot listen on ${host}:${port}: ${
        reason === 'EADDRINUSE'
          ? 'the port is in use'
          : reason === 'EACCES'
            ? 'permission denied for this port'
            : reason === 'EADDRNOTAVAIL'
              ? 'the address is not on this machine'
              : reason
      }; choose another with --port N or YISHI_PORT=N (--host/YISHI_HOST for the address)`
    );
    this.name = 'PortUnavailableError';
  }
}

/** Turns a listen error into {@link PortUnavailableError} where it is one. */
export function portError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new PortUnavailableError(host, port, code);
  }
  return e;
}

/**
 * Resolves once `host:port` proved free (listened on and closed again); port 0 always is.
 * @throws PortUnavailableError when it is taken, forbidden or the address is not local.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(portError(e, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
