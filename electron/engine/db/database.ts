import Database from 'better-sqlite3';
import { TegamiError } from '../../../shared/domain/errors.js';
import { migrations as allMigrations, type Migration } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) a profile's store: WAL, foreign keys on, migrations applied. This
 * module and its siblings are the only code that names better-sqlite3.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = allMigrations): Db {
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw storageError(error, `Could not open the mail store at ${file}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error instanceof TegamiError ? error : storageError(error, 'Could not prepare the mail store');
  }
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new TegamiError({
      code: 'STORAGE',
      message: `This mail store was written by a newer Tegami (schema ${current}, this one knows ${latest}). Update Tegami to open it.`,
    });
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

/** Turns a SQLite failure into a message a person can act on (disk full, read-only, corrupt). */
export function storageError(error: unknown, context: string): TegamiError {
  const code = (error as { code?: unknown }).code;
  const detail =
    code === 'SQLITE_FULL'
      ? 'the disk is full'
      : code === 'SQLITE_READONLY'
        ? 'the store is read-only'
        : code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
          ? 'the store file is damaged'
          : code === 'SQLITE_CANTOPEN'
            ? 'the file cannot be opened'
            : error instanceof Error
              ? error.message
              : String(error);
  return new TegamiError({ code: 'STORAGE', message: `${context}: ${detail}.` }, { cause: error });
}
