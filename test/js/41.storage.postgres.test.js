// The PostgreSQL sink (DATABASE_URL) against the real test database, in a schema of its own.
import { sinkContract } from '../support/sink-contract.js';
import { TEST_DATABASE_URL, createTestSchema, readRepository } from '../support/test-database.js';
import { openPostgresSink } from '../../js/storage/sink-postgres.js';

let database;

sinkContract('PostgreSQL sink (pg)', {
  async open() {
    database = await createTestSchema('t41_postgres');
    return openPostgresSink({ connectionString: TEST_DATABASE_URL, schema: database.schema });
  },
  readRepository: (id) => readRepository(database.query, id),
  cleanup: () => database?.drop(),
});
