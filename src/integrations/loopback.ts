// A guard that keeps the sandbox and the tests on this machine: with ACODE_GUARDIAN_LOOPBACK_ONLY=1
// (set by the test suite and for the local sandbox config) every integration refuses an endpoint
// that is not loopback before sending a byte.
import { isIP } from 'node:net';

export const loopbackOnlyVar = 'ACODE_GUARDIAN_LOOPBACK_ONLY';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export class NonLoopbackEndpointError extends Error {
  readonly code = 'NON_LOOPBACK_REFUSED';
}

/** The host of a URL, or the argument itself when it is a bare host name. */
function hostOf(hostOrUrl: string): string {
  try {
    return new URL(hostOrUrl).hostname;
  } catch {
    return hostOrUrl;
  }
}

export function assertLoopback(hostOrUrl: string, what: string): void {
  const host = hostOf(hostOrUrl);
  if (!isLoopbackHost(host)) {
    throw new NonLoopbackEndpointError(`${what} is not a loopback endpoint (${host}): refusing to contact it`);
  }
}

/** Enforces loopback only where the environment asks for it. */
export function guardEndpoint(hostOrUrl: string, what: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env[loopbackOnlyVar] === '1') assertLoopback(hostOrUrl, what);
}
