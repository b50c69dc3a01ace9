// A PostgREST-compatible endpoint over a real PostgreSQL schema, for the Supabase sink's
// tests: exactly the subset supabase-js sends for our tables, answered the way PostgREST
// answers (status codes, JSON shapes, error codes), with every statement run by `pg`.
//
//   GET    /rest/v1/<table>?select=a,b&col=eq.v|gt.v|in.(..)|not.in.(..)&order=a.asc,b.desc&limit=&offset=
//          Prefer: count=exact -> Content-Range; Accept: application/vnd.pgrst.object+json -> one object
//   POST   /rest/v1/<table>[?columns="a","b"&on_conflict=a,b&select=..]
//          Prefer: resolution=merge-duplicates|ignore-duplicates, return=representation|minimal
//   PATCH  /rest/v1/<table>?<filters>      DELETE /rest/v1/<table>?<filters>
//   POST   /rest/v1/rpc/<function>         (functions without arguments)
// Requests need `apikey` and `Authorization: Bearer` equal to the key given.
import http from 'node:http';

import pg from 'pg';

const ident = (name) => pg.escapeIdentifier(name);

class HttpError extends Error {
  constructor(status, body) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
}

// PostgREST's mapping of PostgreSQL errors to HTTP statuses (the ones we can meet).
function statusOf(code) {
  if (code === '23505' || code === '23503') return 409;
  if (code === '42P01' || code === '42883') return 404;
  if (code === '42501') return 403;
  return 400;
}

function parseList(text) {
  // in.(a,"b,c") -> ['a', 'b,c']
  const inner = text.replace(/^\(/, '').replace(/\)$/, '');
  const items = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  let match;
  while (re.lastIndex < inner.length && (match = re.exec(inner))) {
    items.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]);
    if (match[0] === '') break;
  }
  return items;
}

/**
 * Starts the endpoint. Returns {url, key, requests, close()}: `url` is what
 * SUPABASE_URL would be; `requests` records {method, path, prefer} of each request.
 * @param {{connectionString: string, schema: string, key?: string}} options
 */
export async function startPostgrest({ connectionString, schema, key = 'test-service-role-key' }) {
  const pool = new pg.Pool({ connectionString, max: 4, options: `-c search_path=${ident(schema)}` });
  pool.on('error', () => {});
  const requests = [];

  async function columnsOf(table) {
    const { rows } = await pool.query(`
      SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`, [schema, table]);
    if (rows.length === 0) {
      throw new HttpError(404, {
        code: 'PGRST205', details: null, hint: null,
        message: `Could not find the table '${schema}.${table}' in the schema cache`,
      });
    }
    return new Map(rows.map((row) => [row.name, row.type]));
  }

  function column(columns, name) {
    if (!columns.has(name)) {
      throw new HttpError(400, { code: '42703', details: null, hint: null, message: `column "${name}" does not exist` });
    }
    return ident(name);
  }

  function selectList(columns, text) {
    if (!text || text === '*') return '*';
    return text.split(',').map((name) => column(columns, name.replace(/"/g, '').trim())).join(', ');
  }

  const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict']);

  // `qualifier`: the table name, where the FROM list has the same column names.
  function where(columns, params, search, qualifier = null) {
    const conditions = [];
    for (const [name, filter] of search) {
      if (RESERVED.has(name)) continue;
      const col = qualifier ? `${ident(qualifier)}.${column(columns, name)}` : column(columns, name);
      const negated = filter.startsWith('not.');
      const [op, ...rest] = (negated ? filter.slice(4) : filter).split('.');
      const value = rest.join('.');
      let condition;
      if (op === 'in') {
        params.push(parseList(value));
        condition = `${col} = ANY($${params.length})`;
      } else {
        const sqlOp = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
        if (!sqlOp) throw new HttpError(400, { code: 'PGRST100', details: null, hint: null, message: `unsupported operator ${op}` });
        params.push(value);
        condition = `${col} ${sqlOp} $${params.length}`;
      }
      conditions.push(negated ? `NOT (${condition})` : condition);
    }
    return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  }

  function orderBy(columns, text) {
    if (!text) return '';
    return ` ORDER BY ${text.split(',').map((part) => {
      const [name, direction = 'asc'] = part.split('.');
      return `${column(columns, name)} ${direction === 'desc' ? 'DESC' : 'ASC'}`;
    }).join(', ')}`;
  }

  // The body as a jsonb_to_recordset over the given columns (PostgREST's pgrst_body).
  function recordset(columns, names) {
    return `jsonb_to_recordset($1::jsonb) AS r(${names.map((name) => `${column(columns, name)} ${columns.get(name)}`).join(', ')})`;
  }

  function jsonRows(inner) {
    return `SELECT coalesce(json_agg(t), '[]'::json) AS body FROM (${inner}) t`;
  }

  async function handle(req, url, body) {
    const prefer = req.headers.prefer || '';
    const accept = req.headers.accept || '';
    const search = url.searchParams;
    const parts = url.pathname.replace(/^\/rest\/v1\/?/, '').split('/');

    if (parts[0] === 'rpc') {
      // PostgREST passes a JSON object body as named arguments (objects and arrays as json).
      const args = body && typeof body === 'object' && !Array.isArray(body) ? Object.entries(body) : [];
      const named = args.map(([name], i) => `${ident(name)} := $${i + 1}`).join(', ');
      const values = args.map(([, value]) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value));
      const { rows } = await pool.query(jsonRows(`SELECT * FROM ${ident(parts[1])}(${named})`), values).catch((err) => {
        if (err.code === '42883') {
          const which = args.length ? `with parameters ${args.map(([name]) => name).join(', ')}` : 'without parameters';
          throw new HttpError(404, { code: 'PGRST202', details: null, hint: null,
            message: `Could not find the function ${schema}.${parts[1]} ${which} in the schema cache` });
        }
        throw err;
      });
      // A function returning one value (not a set) answers that value itself.
      const result = rows[0].body;
      const scalar = result.length === 1 && Object.keys(result[0]).length === 1 && parts[1] in result[0];
      return { status: 200, json: scalar ? result[0][parts[1]] : result };
    }

    const table = parts[0];
    const columns = await columnsOf(table);
    const params = [];
    const single = accept.startsWith('application/vnd.pgrst.object+json');
    const returning = () => ` RETURNING ${selectList(columns, search.get('select'))}`;
    const representation = /return=representation/.test(prefer);

    let sql;
    if (req.method === 'GET' || req.method === 'HEAD') {
      sql = `SELECT ${selectList(columns, search.get('select'))} FROM ${ident(table)}${where(columns, params, search)}` +
        `${orderBy(columns, search.get('order'))}`;
      if (search.has('limit')) sql += ` LIMIT ${Number.parseInt(search.get('limit'), 10)}`;
      if (search.has('offset')) sql += ` OFFSET ${Number.parseInt(search.get('offset'), 10)}`;
      const { rows } = await pool.query(jsonRows(sql), params);
      const headers = {};
      if (/count=exact/.test(prefer)) {
        const countParams = [];
        const { rows: counted } = await pool.query(
          `SELECT count(*)::int AS n FROM ${ident(table)}${where(columns, countParams, search)}`, countParams);
        const offset = Number(search.get('offset') || 0);
        const length = rows[0].body.length;
        headers['content-range'] = `${length ? `${offset}-${offset + length - 1}` : '*'}/${counted[0].n}`;
      }
      return { status: 200, json: rows[0].body, headers, single };
    }

    if (req.method === 'POST') {
      const values = Array.isArray(body) ? body : [body];
      const names = search.has('columns')
        ? search.get('columns').split(',').map((name) => name.replace(/"/g, ''))
        : [...new Set(values.flatMap((value) => Object.keys(value)))];
      const list = names.map((name) => column(columns, name)).join(', ');
      params.push(JSON.stringify(values));
      sql = `INSERT INTO ${ident(table)} (${list}) SELECT ${list} FROM ${recordset(columns, names)}`;
      const resolution = /resolution=(merge|ignore)-duplicates/.exec(prefer)?.[1];
      if (resolution) {
        const target = (search.get('on_conflict') || 'id').split(',').map((name) => name.trim());
        const conflict = target.map((name) => column(columns, name)).join(', ');
        const updates = names.filter((name) => !target.includes(name)).map((name) => `${ident(name)} = EXCLUDED.${ident(name)}`);
        sql += resolution === 'ignore' || updates.length === 0
          ? ` ON CONFLICT (${conflict}) DO NOTHING`
          : ` ON CONFLICT (${conflict}) DO UPDATE SET ${updates.join(', ')}`;
      }
    } else if (req.method === 'PATCH') {
      const names = Object.keys(body);
      params.push(JSON.stringify([body]));
      sql = `UPDATE ${ident(table)} SET ${names.map((name) => `${column(columns, name)} = r.${ident(name)}`).join(', ')} ` +
        `FROM ${recordset(columns, names)}${where(columns, params, search, table)}`;
    } else if (req.method === 'DELETE') {
      sql = `DELETE FROM ${ident(table)}${where(columns, params, search)}`;
    } else {
      throw new HttpError(405, { code: 'PGRST117', details: null, hint: null, message: `Unsupported HTTP method: ${req.method}` });
    }

    if (representation) {
      const { rows } = await pool.query(`WITH written AS (${sql}${returning()}) ${jsonRows('SELECT * FROM written')}`, params);
      return { status: req.method === 'POST' ? 201 : 200, json: rows[0].body, single };
    }
    await pool.query(sql, params);
    return { status: req.method === 'POST' ? 201 : 204 };
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url, 'http://localhost');
      requests.push({ method: req.method, path: `${url.pathname}${url.search}`, prefer: req.headers.prefer || '' });
      const send = (status, json, headers = {}) => {
        const text = json === undefined ? '' : JSON.stringify(json);
        res.writeHead(status, { ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...headers });
        res.end(req.method === 'HEAD' ? undefined : text);
      };
      try {
        if (req.headers.apikey !== key || req.headers.authorization !== `Bearer ${key}`) {
          throw new HttpError(401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
        }
        const text = Buffer.concat(chunks).toString('utf8');
        const result = await handle(req, url, text ? JSON.parse(text) : null);
        let { json } = result;
        if (result.single && Array.isArray(json)) {
          if (json.length !== 1) {
            throw new HttpError(406, { code: 'PGRST116', hint: null, message: 'JSON object requested, multiple (or no) rows returned',
              details: `The result contains ${json.length} rows` });
          }
          [json] = json;
        }
        send(result.status, json, result.headers);
      } catch (err) {
        if (err instanceof HttpError) send(err.status, err.body);
        else send(statusOf(err.code), { code: err.code || 'PGRST000', message: err.message, details: err.detail ?? null, hint: err.hint ?? null });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    key,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
