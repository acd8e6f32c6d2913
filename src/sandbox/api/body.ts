import type { IncomingMessage } from 'node:http';
import { isJsonType, readMediaType } from '../../lib/media-type.js';

/**
 * Reading a request body, bounded: at most MAX_BODY_BYTES, decided from Content-Length before a byte is read
 * when the client declares it, else while reading. Past the limit reading stops at once (the stream is paused,
 * not consumed further): the caller answers 413 and closes the connection. The text must be UTF-8 and a JSON
 * media type must be declared, or the answer is 415 — never a guess at what the bytes are.
 */

export const MAX_BODY_BYTES = 1024 * 1024;

export type BodyRead =
  | { ok: true; json: unknown }
  | { ok: false; problem: 'content-too-large' | 'unsupported-media-type' | 'invalid-json'; detail: string };

/** `application/json` or a `+json` type (RFC 6839 §3.1), with no charset or UTF-8. */
export function jsonMediaType(contentType: string | undefined): { ok: true } | { ok: false; detail: string } {
  if (contentType === undefined || contentType.trim() === '') {
    return { ok: false, detail: 'the request has a body but no Content-Type: send application/json' };
  }
  const media = readMediaType(contentType);
  // The API reads application/json and the application/*+json types, nothing else that merely ends in +json.
  if ('error' in media || !media.essence.startsWith('application/') || !isJsonType(media.essence)) {
    const shown = contentType.split(';')[0]!.trim();
    return { ok: false, detail: `Content-Type ${clipped(shown)} is not JSON: send application/json` };
  }
  const charset = media.params.get('charset');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    return {
      ok: false,
      detail: `charset ${clipped(charset)} is not accepted: JSON is UTF-8 (RFC 8259 §8.1)`,
    };
  }
  return { ok: true };
}

function clipped(s: string): string {
  const shown = s.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 60)}…` : shown);
}

/** The raw bytes, or 'too-large' (reading stopped). Rejects when the client goes away mid-body. */
export function readBytes(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onAborted = (): void => onError(new Error('the client went away before the body was complete'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body as JSON, with the media type checked first (415 before any byte is read). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  const media = jsonMediaType(req.headers['content-type']);
  if (!media.ok) return { ok: false, problem: 'unsupported-media-type', detail: media.detail };
  const bytes = await readBytes(req, limit);
  if (bytes === 'too-large') {
    return {
      ok: false,
      problem: 'content-too-large',
      detail: `the body is larger than ${limit} bytes (1 MiB), the limit of this API`,
    };
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, problem: 'invalid-json', detail: 'the body is not valid UTF-8' };
  }
  if (text.trim() === '') return { ok: false, problem: 'invalid-json', detail: 'the body is empty' };
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch {
    // Not JSON.parse's message: it quotes the body, and a problem document repeats no request content.
    return { ok: false, problem: 'invalid-json', detail: 'the body is not JSON' };
  }
}

/** Reads and drops a body nobody needs (bounded like any other), so the connection can be reused. */
export async function discardBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<'ok' | 'too-large'> {
  const bytes = await readBytes(req, limit);
  return bytes === 'too-large' ? 'too-large' : 'ok';
}
