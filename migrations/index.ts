import { CreateUpdateStore1764043200000 } from './1764043200000-CreateUpdateStore';

/** Every migration, oldest first; the DataSource loads this list instead of a glob. */
export const ALL_MIGRATIONS: Function[] = [CreateUpdateStore1764043200000];
