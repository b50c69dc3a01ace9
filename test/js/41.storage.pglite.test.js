// The embedded sink (PGlite) in a temporary directory.
import { sinkContract } from '../support/sink-contract.js';
import { tempDir } from '../support/helpers.js';
import { openPgliteSink } from '../../js/storage/sink-pglite.js';

let sink;

sinkContract('embedded sink (PGlite)', {
  async open() {
    sink = openPgliteSink({ dbDir: tempDir() });
    return sink;
  },
  async readRepository(id) {
    const db = await sink.database();
    const { rows } = await db.query('SELECT * FROM repositories WHERE id = $1', [id]);
    if (rows.length === 0) return undefined;
    return { ...rows[0], id: Number(rows[0].id), pushed_at: rows[0].pushed_at && rows[0].pushed_at.toISOString() };
  },
});
