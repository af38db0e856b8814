import Database from 'better-sqlite3';
import { TegamiError } from '../../../shared/domain/errors.js';
import { migrations as allMigrations, type Migration } from './migrations.js';
import { registerSearchFunctions } from './search-text.js';
import { subjectSortKey } from './subject.js';

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
    // Bulk header and body passes write tens of thousands of rows: a 16 MB page cache (the default
    // is 2 MB) keeps the indexes' upper levels in memory; sorts and temporary b-trees stay in RAM.
    db.pragma('cache_size = -16000');
    db.pragma('temp_store = MEMORY');
    registerSearchFunctions(db);
    db.function('tegami_subject_key', { deterministic: true }, (subject: unknown) =>
      subjectSortKey(typeof subject === 'string' ? subject : ''),
    );
    immediateTransactions(db);
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error instanceof TegamiError ? error : storageError(error, 'Could not prepare the mail store');
  }
}

/**
 * Makes db.transaction(fn)() begin IMMEDIATE (the write lock first) instead of DEFERRED. The store
 * has more than one writing connection (the bulk writer's worker thread; a CLI next to the app):
 * a deferred transaction that reads, then writes after another connection committed, fails at once
 * with SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry. An immediate one waits its turn.
 * Nested calls still become savepoints; .deferred/.exclusive stay available.
 */
export function immediateTransactions(db: Db): void {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = transaction(fn);
    const run = (...args: unknown[]) => t.immediate(...args);
    return Object.assign(run, { default: t.immediate, deferred: t.deferred, immediate: t.immediate, exclusive: t.exclusive, database: db });
  }) as unknown as Db['transaction'];
}

/**
 * Runs `fn` in one transaction, or as part of the caller's when one is open. A transaction
 * function called inside another becomes a SAVEPOINT (better-sqlite3), and under a savepoint
 * SQLite ends each statement by walking its in-memory statement journal from the start, which
 * grows with every page the savepoint changed: quadratic in the batch. Storing 10,000 mirrored
 * messages (a header batch and its texts, nested in storeMirrored's transaction) spent 9% of the
 * whole mirror's CPU in that walk (memjrnlTruncate, measured with perf). For writes whose callers
 * let any error end their own transaction: there is no partial rollback to keep.
 */
export function atomically<T>(db: Db, fn: () => T): T {
  return db.inTransaction ? fn() : db.transaction(fn)();
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

/** True for an error SQLite raised (better-sqlite3's SqliteError carries codes like SQLITE_FULL). */
export const isSqliteError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
};

/** Turns a SQLite failure (or a file's: ENOSPC) into a message a person can act on (disk full, read-only, corrupt). */
export function storageError(error: unknown, context: string): TegamiError {
  const code = (error as { code?: unknown }).code;
  const detail =
    code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT'
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
