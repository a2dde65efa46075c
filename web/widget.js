/*
 * MitID-hjælperen in the browser: gets a token from this server's Direct Line endpoint,
 * keeps it for the tab (so a reload goes on with the same conversation) and renders the
 * official Bot Framework Web Chat. Used by the page at / and by /embed.js on other sites.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var base = (script && script.getAttribute('data-base')) || (script ? new URL(script.src, location.href).origin : location.origin);
  var target = document.getElementById((script && script.getAttribute('data-target')) || 'webchat');
  var statusBox = document.getElementById('chat-status');
  var storageKey = 'mitid-hjaelperen:' + base;
  var MESSAGES = {
    429: 'Der er lige nu for mange beskeder. Vent et øjeblik, og prøv så igen.',
    failed: 'Chatten kan ikke starte lige nu. Prøv igen om lidt.'
  };

  function showStatus(text) {
    if (!statusBox) return;
    statusBox.textContent = text;
    statusBox.hidden = !text;
  }

  function remembered() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(storageKey) || 'null');
      return saved && saved.expiresAt > Date.now() + 60000 ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function remember(session) {
    try {
      sessionStorage.setItem(storageKey, JSON.stringify(session));
    } catch (e) {
      // Private browsing may refuse storage; the chat still works, only a reload starts afresh.
    }
  }

  function post(path, token) {
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(base + '/v3/directline' + path, { method: 'POST', headers: headers }).then(function (res) {
      if (res.status === 429) throw new Error(MESSAGES[429]);
      if (!res.ok) throw new Error(MESSAGES.failed);
      return res.json();
    });
  }

  function session() {
    var saved = remembered();
    if (saved) return Promise.resolve({ session: saved, resumed: true });
    return post('/tokens/generate').then(function (t) {
      var fresh = { token: t.token, conversationId: t.conversationId, expiresAt: Date.now() + t.expires_in * 1000 };
      remember(fresh);
      return { session: fresh, resumed: false };
    });
  }

  // Refresh the token well before it expires, so a long conversation is not cut off.
  function keepFresh(current) {
    setTimeout(function () {
      post('/tokens/refresh', current.token)
        .then(function (t) {
          var next = { token: t.token, conversationId: current.conversationId, expiresAt: Date.now() + t.expires_in * 1000 };
          remember(next);
          keepFresh(next);
        })
        .catch(function () {
          keepFresh(current);
        });
    }, Math.max(30000, current.expiresAt - Date.now() - 5 * 60000));
  }

  // Inside the embed panel, Esc closes the panel: the key press never reaches the host page.
  if (window.parent !== window) {
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') window.parent.postMessage({ type: 'mitid-hjaelperen:close' }, '*');
    });
  }

  session()
    .then(function (started) {
      var s = started.session;
      keepFresh(s);
      // A new conversation is started (the bot then says welcome); after a reload the same
      // conversation is resumed, and Web Chat fetches what was said so far.
      var options = { domain: base + '/v3/directline', token: s.token, webSocket: true };
      if (started.resumed) options.conversationId = s.conversationId;
      var directLine = window.WebChat.createDirectLine(options);
      directLine.connectionStatus$.subscribe(function (status) {
        // 4 = FailedToConnect, 5 = Ended in botframework-directlinejs.
        if (status === 4 || status === 5) showStatus(MESSAGES.failed);
        else if (status === 2) showStatus('');
      });
      // Web Chat shows its own "could not send"; say why in plain Danish when we know.
      var store = window.WebChat.createStore({}, function () {
        return function (next) {
          return function (action) {
            if (action.type === 'DIRECT_LINE/POST_ACTIVITY_REJECTED') showStatus(MESSAGES[429]);
            else if (action.type === 'DIRECT_LINE/POST_ACTIVITY_FULFILLED') showStatus('');
            return next(action);
          };
        };
      });
      window.WebChat.renderWebChat(
        {
          directLine: directLine,
          store: store,
          locale: 'da-DK',
          styleOptions: {
            accent: '#0050b4',
            primaryFont: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
            fontSizeSmall: '85%',
            bubbleBackground: '#eef3fb',
            bubbleTextColor: '#1a1a1a',
            bubbleFromUserBackground: '#0050b4',
            bubbleFromUserTextColor: '#ffffff',
            botAvatarInitials: 'MH',
            botAvatarBackgroundColor: '#0050b4',
            userAvatarInitials: 'DIG',
            suggestedActionLayout: 'flow',
            suggestedActionBackgroundColor: '#ffffff',
            suggestedActionTextColor: '#003a82',
            suggestedActionBorderColor: '#0050b4',
            suggestedActionBorderWidth: 2,
            suggestedActionHeight: 44,
            sendBoxHeight: 56,
            hideUploadButton: true
          }
        },
        target
      );
    })
    .catch(function (err) {
      showStatus(err && err.message ? err.message : MESSAGES.failed);
    });
})();
