// Writing a response the way GitHub's front end does: common headers, gzip when asked
// (bodies over 1 KB, compressed once and cached by ETag), and the transport faults:
// a truncated body (Content-Length promises more than is sent) and a slow reply.
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);
const GZIP_MIN = 1024;
const GZIP_CACHE_SIZE = 2048;
const gzipCache = new Map();  // etag → Promise<Buffer>, a small LRU shared by all simulators

export const DOCS = 'https://docs.github.com/rest';

let requestCounter = 0;

function requestId() {
  requestCounter = (requestCounter + 1) >>> 0;
  return `C0DE:${(requestCounter * 2654435761 >>> 0).toString(16).toUpperCase()}:${requestCounter.toString(16).toUpperCase()}`;
}

function compressed(body, etag) {
  if (!etag) return gzip(body, { level: 4 });
  let entry = gzipCache.get(etag);
  if (entry) gzipCache.delete(etag);
  else {
    entry = gzip(body, { level: 4 });
    if (gzipCache.size >= GZIP_CACHE_SIZE) gzipCache.delete(gzipCache.keys().next().value);
  }
  gzipCache.set(etag, entry);
  return entry;
}

function wantsGzip(req) {
  const accept = req.headers['accept-encoding'];
  return typeof accept === 'string' && /\bgzip\b/i.test(accept);
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A JSON error body as GitHub sends it. */
export function errorBody(status, message, documentationUrl = DOCS, extra = {}) {
  return Buffer.from(JSON.stringify({ message, ...extra, documentation_url: documentationUrl, status: String(status) }));
}

/**
 * Sends one response. `reply`: {status, body?: Buffer, etag?, headers?, contentType?,
 * cacheControl?}; `fault`: null or {kind: 'truncate'|'slow', ms}.
 */
export async function send(req, res, reply, fault) {
  if (fault?.kind === 'slow') await delay(fault.ms ?? 100);
  if (res.destroyed) return;
  const headers = {
    server: 'github.com',
    'content-type': reply.contentType ?? 'application/json; charset=utf-8',
    'cache-control': reply.cacheControl ?? 'private, max-age=60, s-maxage=60',
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': requestId(),
    'x-content-type-options': 'nosniff',
    ...(reply.etag ? { etag: reply.etag } : {}),
    ...reply.headers,
  };
  let body = reply.status === 304 ? null : reply.body ?? null;
  if (body && body.length >= GZIP_MIN && wantsGzip(req)) {
    body = await compressed(body, reply.etag && `${reply.etag}${reply.variant ?? ''}`);
    headers['content-encoding'] = 'gzip';
  }
  if (res.destroyed) return;
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(reply.status, headers);
  if (!body || req.method === 'HEAD') {
    res.end();
    return;
  }
  if (fault?.kind === 'truncate') {
    // Promise the whole body, send part of it, then cut the connection.
    res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.socket?.destroy());
    return;
  }
  res.end(body);
}
