import { connect } from 'node:net';
import { expect } from 'vitest';

/**
 * Small readers for the API tests: a problem document checked against RFC 9457 (the media type, the four
 * members, `status` equal to the response's), and a raw HTTP exchange over a socket for what fetch cannot send.
 */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

export function problemOf(r: { status: number; headers: Headers; body: unknown }): Problem {
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  const p = r.body as Problem;
  expect(typeof p.type).toBe('string');
  expect(typeof p.title).toBe('string');
  expect(typeof p.detail).toBe('string');
  expect(p.status).toBe(r.status);
  expect(JSON.stringify(p)).not.toMatch(/\n\s+at /);
  return p;
}

export interface RawReply {
  /** The first response's status; 0 when the server closed without a status line. */
  status: number;
  /** Everything received (status line, headers, bodies). */
  head: string;
}

/** Writes `raw` to the API's port and reads until the server closes (bounded: 5 s). */
export function rawRequest(port: number, raw: string): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const done = (): void => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve({ status: m ? Number(m[1]) : 0, head: received });
    };
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', () => {});
    socket.write(raw);
    // Half-close once written: a server that answers and keeps the connection alive then ends it.
    socket.end();
  });
}
