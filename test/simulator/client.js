// A minimal client for tests and scripts that talk to the simulator: one GET (or one
// POST of a JSON body, for /graphql) over node:http, the raw status, headers and body
// bytes (nothing decompressed or parsed behind the caller's back, so tests see exactly
// what was sent).
import http from 'node:http';
import zlib from 'node:zlib';

/**
 * GET `url` (absolute). Options: token, headers. Resolves to {status, headers, body,
 * text(), json()} where text/json gunzip when the response says gzip; rejects when the
 * connection drops or the body is cut short.
 */
export function get(url, { token, headers = {}, agent } = {}) {
  return request(url, { method: 'GET', token, headers, agent });
}

/**
 * POST `body` (a value sent as JSON, or a string sent as is) to `url`, e.g.
 * post(`${sim.url}/graphql`, {query, variables}, {token}); resolves like get().
 */
export function post(url, body, { token, headers = {}, agent } = {}) {
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return request(url, {
    method: 'POST', token, agent, payload,
    headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers },
  });
}

function request(url, { method, token, headers, agent, payload }) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      agent,
      headers: { 'user-agent': 'gh-ingest-simulator-client', ...(token ? { authorization: `token ${token}` } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => {
        if (!res.complete) { reject(new Error('response incomplete')); return; }
        const body = Buffer.concat(chunks);
        const decoded = () => (res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body);
        resolve({
          status: res.statusCode, headers: res.headers, body,
          text: () => decoded().toString('utf8'),
          json: () => JSON.parse(decoded().toString('utf8')),
        });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Parses a Link header into {rel: url}. */
export function parseLink(header) {
  const links = {};
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part);
    if (m) links[m[2]] = m[1];
  }
  return links;
}
