// Writing a response the way GitHub's front end does: common headers, gzip when asked
// (bodies over 1 KB), and the transport faults: a truncated body (Content-Length
// promises more than is sent) and a slow reply. gzip runs synchronously at level 1 (a
// thread-pool hop costs more than compressing a document) and each compressed body is
// kept: by the body Buffer itself (documents are cached per repository version, so a
// document is compressed at most once per version) and in a small LRU by ETag, checked
// against the body, for bodies built per request (search pages asked again). A gzip
// result is copied to its own size: zlib hands back a slice of a 16 KB chunk, and a
// cache of slices would hold 16 KB per document.
import zlib from 'node:zlib';

const GZIP_MIN = 1024;
const GZIP_OPTIONS = { level: 1 };
const LRU_BYTES = 64 * 1024 * 1024;
const byBody = new WeakMap();  // body Buffer → gzip Buffer
const lru = new Map();  // etag(+variant) → {body, gzip}; insertion-ordered, shared by all simulators
let lruBytes = 0;

export const DOCS = 'https://docs.github.com/rest';

let requestCounter = 0;

function requestId() {
  requestCounter = (requestCounter + 1) >>> 0;
  return `C0DE:${(requestCounter * 2654435761 >>> 0).toString(16).toUpperCase()}:${requestCounter.toString(16).toUpperCase()}`;
}

/** gzip of `body`, in a Buffer of its own size (not a slice of zlib's 16 KB chunk). */
function gzipBody(body) {
  return Buffer.from(zlib.gzipSync(body, GZIP_OPTIONS));
}

function compressed(body, key) {
  let gzip = byBody.get(body);
  if (gzip) return gzip;
  const entry = key ? lru.get(key) : undefined;
  if (entry && (entry.body === body || entry.body.equals(body))) {
    lru.delete(key);
    lru.set(key, entry);
    gzip = entry.gzip;
  } else {
    gzip = gzipBody(body);
    if (key) {
      if (entry) {
        lru.delete(key);
        lruBytes -= entry.body.length + entry.gzip.length;
      }
      lru.set(key, { body, gzip });
      lruBytes += body.length + gzip.length;
      for (const [oldKey, old] of lru) {
        if (lruBytes <= LRU_BYTES || old.body === body) break;
        lru.delete(oldKey);
        lruBytes -= old.body.length + old.gzip.length;
      }
    }
  }
  byBody.set(body, gzip);
  return gzip;
}

/**
 * Compresses a document ({body, etag}) ahead of its first request (simulator warm-up):
 * sets `document.gzip`, which send() uses as it is (a reply spreads the document). Kept
 * on the document rather than in the WeakMap: a WeakMap of a whole corpus's bodies
 * makes every full garbage collection trace its ephemerons.
 */
export function precompress(document) {
  if (document.body.length >= GZIP_MIN) document.gzip = gzipBody(document.body);
}

/** Forgets the compressed bodies kept by ETag (those of per-request bodies). */
export function clearCompressedByEtag() {
  lru.clear();
  lruBytes = 0;
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
 * Sends one response. `reply`: {status, body?: Buffer, gzip?: Buffer (the body
 * compressed), etag?, headers?, contentType?, cacheControl?}; `fault`: null or
 * {kind: 'truncate'|'slow', ms}.
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
    body = reply.gzip ?? compressed(body, reply.etag && `${reply.etag}${reply.variant ?? ''}`);
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
