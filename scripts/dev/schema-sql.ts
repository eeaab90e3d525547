// Prints the SQL that would bring DATABASE_URL's schema to the entities: a starting point for a new migration.
import { createDataSource } from '../../src/db/data-source';

async function main() {
  const ds = await createDataSource({ url: process.argv[2] }).initialize();
  const sql = await ds.driver.createSchemaBuilder().log();
  for (const q of sql.upQueries) console.log(q.query + ';');
  console.log('-- down');
  for (const q of sql.downQueries.reverse()) console.log(q.query + ';');
  await ds.destroy();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
