/*
 * The agent page's elements and the few ways the scripts write to them. Everything that
 * comes from citizens or the server goes in as text, never as HTML.
 */

const IDS = {
  skipLink: 'skip-link',
  signedIn: 'signed-in',
  agentName: 'agent-name',
  logout: 'logout',
  login: 'login',
  loginForm: 'login-form',
  loginInfo: 'login-info',
  loginError: 'login-error',
  username: 'login-username',
  password: 'login-password',
  loginSubmit: 'login-submit',
  desk: 'desk',
  deskStatus: 'desk-status',
  queueHeading: 'queue-heading',
  queueCount: 'queue-count',
  queueError: 'queue-error',
  queueEmpty: 'queue-empty',
  queueList: 'queue-list',
  chatTarget: 'chat-target',
  chatError: 'chat-error',
  webchat: 'webchat',
  caseHeading: 'case-heading',
  caseNone: 'case-none',
  caseBody: 'case-body',
  caseError: 'case-error',
  caseFacts: 'case-facts',
  casePath: 'case-path',
  caseIntents: 'case-intents',
  notes: 'notes',
  notesNone: 'notes-none',
  noteForm: 'note-form',
  noteText: 'note-text',
  noteError: 'note-error',
  noteSubmit: 'note-submit',
  release: 'release',
  close: 'close',
  transcript: 'transcript'
};

/** The page's elements by the names the scripts use (web/agent.html has the ids). */
export function findElements() {
  return Object.fromEntries(Object.entries(IDS).map(([name, id]) => [name, document.getElementById(id)]));
}

// Only changes are written, so a live region speaks when its text changes, not at every refresh.
export function setText(node, text) {
  const value = text || '';
  if (node.textContent !== value) node.textContent = value;
}

export function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A term and its value in a <dl> (or a fragment going into one). */
export function fact(list, term, value) {
  list.appendChild(make('dt', '', term));
  list.appendChild(make('dd', '', value));
}
