import { expect } from 'vitest';
import { CASE_ID_IN_TEXT } from '../../src/handoff/case-ids';
import { call, DlClient, type DlActivity, type Reply } from './directline-client';
import type { DirectLineServer } from './directline-server';

/** What the desk tests sign agents in with (AGENT_ACCOUNTS made with hashAgentPassword). */
export const PASSWORD = 'en-lang-adgangskode';
const WELCOME = 'Jeg er MitID-hjælperen';

const texts = (activities: DlActivity[]) => activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');

/** One side of the chat: a Direct Line client that remembers its watermark. */
export class Side {
  watermark: string | undefined;
  constructor(public client: DlClient) {}

  /** The messages of the last {@link expect}, with their channel data. */
  last: DlActivity[] = [];

  /** Waits until a message containing `fragment` arrives; returns the texts that came. */
  async expect(fragment: string): Promise<string[]> {
    const set = await this.client.poll(this.watermark, (acts) => texts(acts).some((t) => t.includes(fragment)));
    this.watermark = set.watermark;
    this.last = set.activities.filter((a) => a.type === 'message');
    return texts(set.activities);
  }

  /** Waits for an agent's message and checks it is marked with her name (the widget shows it), not prefixed. */
  async expectFromAgent(name: string, text: string): Promise<void> {
    await this.expect(text);
    const said = this.last.find((a) => a.text === text);
    expect(said, `no message "${text}" as the agent wrote it`).toBeDefined();
    expect((said as { channelData?: unknown }).channelData).toMatchObject({ mitidAgent: { name } });
  }

  async say(text: string): Promise<void> {
    const reply = await this.client.post(text);
    expect(reply.status).toBe(200);
  }

  /** The same conversation and token against another server (after a restart). */
  movedTo(url: string): Side {
    const side = new Side(new DlClient(url, this.client.token, this.client.conversationId));
    side.watermark = this.watermark;
    return side;
  }
}

export async function citizenJoins(server: DirectLineServer): Promise<Side> {
  const client = new DlClient(server.url);
  expect((await client.generate()).status).toBe(200);
  expect((await client.start()).status).toBe(201);
  const side = new Side(client);
  await side.expect(WELCOME);
  return side;
}

export async function agentSignsIn(server: DirectLineServer, username: string): Promise<{ side: Side; token: string }> {
  const login = await call(`${server.url}/agent/api/login`, { method: 'POST', body: { username, password: PASSWORD } });
  expect(login.status).toBe(200);
  const body = login.body as { token: string; conversationId: string; agent: { displayName: string } };
  expect(body.conversationId).toBe(`agent-${username}`);
  const client = new DlClient(server.url, body.token, body.conversationId);
  expect([200, 201]).toContain((await client.start()).status);
  const side = new Side(client);
  await side.expect(`Hej ${body.agent.displayName}`);
  return { side, token: body.token };
}

export const agentApi = (server: DirectLineServer, token: string, route: string, body?: unknown): Promise<Reply> =>
  call(`${server.url}/agent/api${route}`, { method: body === undefined ? 'GET' : 'POST', token, body });

/** The citizen asks for a person and agrees; returns the case id. */
export async function escalates(citizen: Side): Promise<string> {
  await citizen.say('Tal med en medarbejder');
  await citizen.expect('Må jeg sende samtalen videre?');
  await citizen.say('Ja, send den videre');
  const said = await citizen.expect('Din sag har nummer');
  return CASE_ID_IN_TEXT.exec(said.join(' '))![0];
}

