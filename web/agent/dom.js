/*
 * The agent page's elements and the few ways the scripts write to them. Everything that
 * comes from citizens or the server goes in as text, never as HTML.
 */

const IDS = {
  skipLink: 'skip-link',
  signedIn: 'signed-in',
  agentName: 'agent-name',
  presence: 'presence',
  presenceHint: 'presence-hint',
  logout: 'logout',
  login: 'login',
  loginForm: 'login-form',
  loginInfo: 'login-info',
  loginError: 'login-error',
  username: 'login-username',
  password: 'login-password',
  loginSubmit: 'login-submit',
  loginLead: 'login-lead',
  oidc: 'oidc',
  oidcStart: 'oidc-start',
  oidcOr: 'oidc-or',
  desk: 'desk',
  deskStatus: 'desk-status',
  alertSound: 'alert-sound',
  alertDesktop: 'alert-desktop',
  sideTabs: 'side-tabs',
  queueTab: 'tab-queue',
  historyTab: 'tab-history',
  scoresTab: 'tab-scores',
  historyHeading: 'history-heading',
  historyForm: 'history-form',
  historyCase: 'history-case',
  historyFrom: 'history-from',
  historyTo: 'history-to',
  historyWords: 'history-words',
  historySubmit: 'history-submit',
  historyError: 'history-error',
  historyCount: 'history-count',
  historyList: 'history-list',
  scoresError: 'scores-error',
  scoresBody: 'scores-body',
  scoresRefresh: 'scores-refresh',
  chatTabs: 'chat-tabs',
  deskTab: 'tab-desk',
  caseChats: 'case-chats',
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
  caseEarlier: 'case-earlier',
  templates: 'templates',
  templatesNone: 'templates-none',
  transfer: 'transfer',
  transferDialog: 'transfer-dialog',
  transferForm: 'transfer-form',
  transferHeading: 'transfer-heading',
  transferOptions: 'transfer-options',
  transferNone: 'transfer-none',
  transferNote: 'transfer-note',
  transferError: 'transfer-error',
  transferSubmit: 'transfer-submit',
  transferCancel: 'transfer-cancel',
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
