/** `npm run unanswered`: questions the bot could not answer, most frequent first, from the bot's storage. */
import { parseConfig, readEnvironment } from '../src/config';
import { UnansweredLog } from '../src/nlu/unanswered-log';
import { openStorage } from '../src/storage';

async function run(): Promise<void> {
  const config = parseConfig(readEnvironment());
  const log = new UnansweredLog(await openStorage(config));
  const entries = await log.list();
  if (entries.length === 0) {
    process.stdout.write(`Ingen ubesvarede spørgsmål i ${config.STORAGE === 'blob' ? config.BLOB_CONTAINER : config.DATA_DIR} / no unanswered questions\n`);
    return;
  }
  process.stdout.write('antal  seneste     årsag                 spørgsmål (personoplysninger er maskeret)\n');
  for (const e of entries) {
    const reasons = Object.entries(e.reasons).map(([r, n]) => `${r}:${n}`).join(' ');
    process.stdout.write(`${String(e.count).padStart(5)}  ${e.lastAt.slice(0, 10)}  ${reasons.padEnd(20)}  ${e.text}\n`);
  }
}

// A PostgreSQL pool would keep the process alive for its idle time; the listing is done.
run().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
