/**
 * `npm run agent:sessions -- list | end USER | end-all`: who is signed in on the agent desk, and
 * ending sessions at once (a lost laptop, someone who left, a suspected leak). It works on the
 * bot's storage while the server runs: every instance checks the session at each request, so an
 * ended session's tokens are refused from the next one on, on the agent API and on Direct Line.
 */
import { systemClock } from '../src/clock';
import { parseConfig, readEnvironment, type Config } from '../src/config';
import { staffSessions } from '../src/desk/staff-desk';
import type { StaffEntry, StaffSessions } from '../src/desk/staff-sessions';
import { openStorage } from '../src/storage';

const USAGE = 'Brug / usage: npm run agent:sessions -- list | end BRUGER/USER | end-all';

type Write = (line: string) => void;

async function list(sessions: StaffSessions, write: Write): Promise<number> {
  let shown = 0;
  for (const entry of await sessions.staff()) {
    const live = await sessions.sessionsOf(entry.id);
    if (live.length === 0) continue;
    if (shown++ === 0) write('bruger/user                     navn/name             sessioner  sidst set/last seen   slutter/ends');
    const lastSeen = live.map((s) => s.lastSeenAt).sort().at(-1)!;
    const ends = live.map((s) => s.expiresAt).sort().at(-1)!;
    write(`${(entry.login ?? entry.id).padEnd(31)} ${entry.name.slice(0, 20).padEnd(21)} ${String(live.length).padStart(9)}  ${lastSeen.slice(0, 16)}      ${ends.slice(0, 16)}`);
  }
  if (shown === 0) write('Ingen er logget ind / nobody is signed in');
  return 0;
}

/** The staff a name points at: the desk's id, or what she signs in with (an e-mail address for the provider). */
function matching(staff: StaffEntry[], who: string): StaffEntry[] {
  const wanted = who.trim().toLowerCase();
  return staff.filter((e) => e.id.toLowerCase() === wanted || e.login?.toLowerCase() === wanted);
}

async function end(sessions: StaffSessions, who: string | undefined, write: Write): Promise<number> {
  if (!who) {
    write(USAGE);
    return 2;
  }
  const found = matching(await sessions.staff(), who);
  if (found.length === 0) {
    write(`Ingen medarbejder hedder "${who}" / no member of staff is called "${who}" (se/see: npm run agent:sessions -- list)`);
    return 1;
  }
  for (const entry of found) {
    const count = await sessions.revokeAgent(entry.id);
    write(`${entry.login ?? entry.id}: ${count} session(er) afsluttet / ${count} session(s) ended`);
  }
  return 0;
}

export async function agentSessions(args: string[], config: Config, write: Write): Promise<number> {
  const sessions = staffSessions(config, await openStorage(config), systemClock);
  const [command, who] = args;
  if (command === 'list') return list(sessions, write);
  if (command === 'end') return end(sessions, who, write);
  if (command === 'end-all') {
    await sessions.revokeAll();
    write('Alle sessioner er afsluttet; alle skal logge ind igen / every session has ended; everyone signs in again');
    return 0;
  }
  write(USAGE);
  return 2;
}

if (require.main === module) {
  agentSessions(process.argv.slice(2), parseConfig(readEnvironment()), (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
