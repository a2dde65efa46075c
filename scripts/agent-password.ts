/**
 * `npm run agent:password -- USERNAME`: prints the AGENT_ACCOUNTS entry for an agent.
 * The password is read from standard input (typed, or piped in for scripts) so it never
 * appears in the shell history or the process list.
 */
import { createInterface } from 'node:readline';
import { hashAgentPassword } from '../src/config/agent-accounts';

async function run(): Promise<void> {
  const username = process.argv[2];
  if (!username) {
    process.stderr.write('Brug / usage: npm run agent:password -- BRUGERNAVN  (adgangskoden læses fra stdin / password read from stdin)\n');
    process.exit(2);
  }
  if (process.stdin.isTTY) process.stderr.write(`Adgangskode for ${username} / password (mindst 10 tegn): `);
  const lines = createInterface({ input: process.stdin });
  const password = await new Promise<string>((resolve) => {
    lines.once('line', resolve);
    lines.once('close', () => resolve(''));
  });
  lines.close();
  try {
    process.stdout.write(`${await hashAgentPassword(username, password.trim())}\n`);
    process.stderr.write('Tilføj linjen til AGENT_ACCOUNTS (komma mellem flere) / add the line to AGENT_ACCOUNTS (comma-separated)\n');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}

void run();
