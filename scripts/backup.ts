/**
 * `npm run backup [-- FILE]`: a copy of the bot's SQLite database (STORAGE=sqlite, the default),
 * made with SQLite's online backup API, so it may run while the bot runs and writes; the copy
 * holds every turn committed when it began. By default it goes to
 * DATA_DIR/backups/mitid-hjaelperen-<time>.db. The copy is checked (PRAGMA integrity_check) and is
 * one self-contained file: to restore, stop the bot and put it in place of DATA_DIR/mitid-hjaelperen.db.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig, readEnvironment, type Config } from '../src/config';
import { sqliteFile } from '../src/storage/sqlite-storage';

const USAGE = 'Brug / usage: npm run backup [-- FIL/FILE]';

type Write = (line: string) => void;

/** DATA_DIR/backups/mitid-hjaelperen-2026-05-01T12-30-00-000Z.db: sorts by time, no colons for other file systems. */
export function defaultBackupFile(dataDir: string, now = new Date()): string {
  return path.join(dataDir, 'backups', `mitid-hjaelperen-${now.toISOString().replace(/[:.]/g, '-')}.db`);
}

/** Why this command has nothing to do for a storage that is not SQLite, or undefined. */
function notSqlite(config: Config): string | undefined {
  if (config.STORAGE === 'postgres') return 'STORAGE=postgres: tag backup med pg_dump (fx pg_dump -Fc "$DATABASE_URL" > mitid.dump) / back up with pg_dump (e.g. pg_dump -Fc "$DATABASE_URL" > mitid.dump)';
  if (config.STORAGE === 'blob') {
    return `STORAGE=blob: brug Azures egen backup af containeren ${config.BLOB_CONTAINER} (Azure Backup, versionering, soft delete) / use Azure's own backup of the container ${config.BLOB_CONTAINER} (Azure Backup, versioning, soft delete)`;
  }
  return undefined;
}

/** The copy's records and SQLite's verdict on it; it is made a one-file database (no -wal beside it). */
function check(file: string): { records: number; integrity: string } {
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = (copy.pragma('integrity_check', { simple: true }) as string) ?? 'no answer';
    return { records: copy.prepare('SELECT count(*) FROM records').pluck().get() as number, integrity };
  } finally {
    copy.close();
  }
}

/** Copies the live database to `target`, which must not exist yet (a backup never overwrites one). */
async function copyDatabase(source: string, target: string): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  // Created here, so the copy of personal data is the owner's only; SQLite fills the empty file.
  writeFileSync(target, '', { flag: 'wx', mode: 0o600 });
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 2_000 });
  try {
    // All pages in one step, from one snapshot: in steps of 100 pages (the default) every commit of
    // the running bot between two steps would start the copy over.
    await db.backup(target, { progress: () => 0x7fffffff });
  } catch (err) {
    rmSync(target, { force: true });
    throw err;
  } finally {
    db.close();
  }
}

export async function backup(args: string[], config: Config, write: Write): Promise<number> {
  const other = notSqlite(config);
  if (other) {
    write(other);
    return 1;
  }
  if (args.length > 1 || args[0]?.startsWith('-')) {
    write(USAGE);
    return 2;
  }
  const source = sqliteFile(config.DATA_DIR);
  if (!existsSync(source)) {
    write(`Ingen database i ${source} / no database at ${source}`);
    return 1;
  }
  const target = path.resolve(args[0] ?? defaultBackupFile(config.DATA_DIR));
  if (existsSync(target)) {
    write(`${target} findes allerede; vælg et andet navn / already exists; choose another name`);
    return 1;
  }
  await copyDatabase(source, target);
  const { records, integrity } = check(target);
  if (integrity !== 'ok') {
    write(`Kopien i ${target} er beskadiget / the copy in ${target} is damaged: ${integrity}`);
    return 1;
  }
  write(`Backup skrevet til ${target}: ${records} poster, integritet ok / backup written to ${target}: ${records} records, integrity ok`);
  return 0;
}

if (require.main === module) {
  // Through a promise, so a bad setting ends with its one-line message, as every other failure.
  Promise.resolve()
    .then(() => backup(process.argv.slice(2), parseConfig(readEnvironment()), (line) => process.stdout.write(`${line}\n`)))
    .then(
      (code) => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exit(1);
      },
    );
}
