/*
 * The official Bot Framework Web Chat (window.WebChat, from /webchat.js) on this server's
 * Direct Line, looking the same on the citizen's page and the agent's.
 */

/** botframework-directlinejs's connection states. */
export const LINE = { online: 2, expiredToken: 3, failedToConnect: 4, ended: 5 };

/** Web Chat's look on every page: colours, font and no upload button. */
export const BASE_STYLE = {
  accent: '#0050b4',
  primaryFont: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
  fontSizeSmall: '85%',
  bubbleBackground: '#eef3fb',
  bubbleTextColor: '#1a1a1a',
  bubbleFromUserBackground: '#0050b4',
  bubbleFromUserTextColor: '#ffffff',
  botAvatarBackgroundColor: '#0050b4',
  hideUploadButton: true
};

const STYLE = {
  ...BASE_STYLE,
  suggestedActionLayout: 'flow',
  suggestedActionBackgroundColor: '#ffffff',
  suggestedActionTextColor: '#003a82',
  suggestedActionBorderColor: '#0050b4',
  suggestedActionBorderWidth: 2
};

/**
 * A Direct Line to `origin`'s endpoint. With a `conversationId` (after a reload) the same
 * conversation is picked up and Web Chat fetches what was said; without, a new one starts.
 */
export function connect(origin, token, conversationId) {
  const options = { domain: origin + '/v3/directline', token, webSocket: true };
  if (conversationId) options.conversationId = conversationId;
  return window.WebChat.createDirectLine(options);
}

/**
 * Renders Web Chat on `line` into `host`. `on.posted(ok)` hears whether a message the user sent
 * went through; `on.incoming(activity)` hears every activity that arrives, and `on.rewrite`, if
 * given, returns the activity Web Chat gets instead. `options` are more of Web Chat's props
 * (middleware, sendTypingIndicator). Returns a function that renders again with another style.
 */
export function renderChat(host, line, style, on, options = {}) {
  const store = window.WebChat.createStore({}, () => (next) => (action) => {
    if (action.type === 'DIRECT_LINE/POST_ACTIVITY_REJECTED') on.posted(false);
    else if (action.type === 'DIRECT_LINE/POST_ACTIVITY_FULFILLED') on.posted(true);
    else if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') return next(incoming(action, on));
    return next(action);
  });
  const render = (nextStyle) =>
    window.WebChat.renderWebChat({ ...options, directLine: line, store, locale: 'da-DK', styleOptions: { ...STYLE, ...nextStyle } }, host);
  render(style);
  return render;
}

function incoming(action, on) {
  const activity = action.payload && action.payload.activity;
  if (on.incoming) on.incoming(activity);
  if (!on.rewrite || !activity) return action;
  return { ...action, payload: { ...action.payload, activity: on.rewrite(activity) } };
}
