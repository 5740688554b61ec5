/**
 * `spend backup` and `spend restore <folder>`: an export of the database into the backups folder
 * (through the owner when one runs, else from the file), and a new database file built from one
 * (only while nothing has the file open). See lib/backup.ts and docs/reliability.md.
 */
import type { Command } from 'commander';
import { type BackupResult, listBackups, restoreDatabase } from '../lib/backup.ts';
import { loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { callOperation, openDatabase } from '../owner/call-operation.ts';
import { ownerAnswers } from '../owner/control.ts';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'export the database (schema and every table as Parquet) into a new folder of SPEND_BACKUP_DIR',
    )
    .action(async () => {
      const config = loadConfig();
      const result = (await callOperation(config, 'database.backup', {
        dir: config.backupDir,
      })) as BackupResult;
      process.stdout.write(`Backed up ${result.tables} tables to ${result.folder}\n`);
    });

  program
    .command('restore [folder]')
    .description('replace the database file by one built from a backup folder (default: the newest)')
    .action(async (folder: string | undefined) => {
      const config = loadConfig();
      if (await ownerAnswers(config.socketPath)) {
        throw new UserError(
          'conflict',
          'Stop "spend serve" or "spend ingest" before restoring: they hold the database file.',
        );
      }
      const source = folder ?? listBackups(config.backupDir, config.dbPath).at(-1);
      if (!source)
        throw new UserError('not-found', `No backup in ${config.backupDir}: run "spend backup" first.`);
      const { previous } = await restoreDatabase(config.dbPath, source);
      // opened once the product's way: migrations newer than the backup are applied now
      (await openDatabase(config)).close();
      process.stdout.write(
        `Restored ${config.dbPath} from ${source}${previous ? `; the previous file is kept as ${previous}` : ''}\n`,
      );
    });
}
