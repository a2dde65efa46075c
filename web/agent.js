/*
 * The agent page (/agent): sign-in, the queue, the agent's own Web Chat with the bot's desk
 * (what the agent writes there goes to the citizen of their case) and the case panel.
 * Everything that comes from citizens or the server is put in the page as text, never as HTML.
 */
(function () {
  'use strict';

  var API = '/agent/api';
  var STORAGE_KEY = 'mitid-hjaelperen:agent';
  var QUEUE_EVERY_MS = 4000;
  var NOTE_MAX = 2000;
  var TEXT = {
    network: 'Der er ingen forbindelse til serveren. Prøv igen om lidt.',
    failed: 'Det lykkedes ikke. Prøv igen.',
    missingLogin: 'Skriv både brugernavn og adgangskode.',
    expired: 'Dit login er udløbet. Log ind igen.',
    loggedOut: 'Du er logget ud.',
    queueFailed: 'Køen kunne ikke hentes lige nu. Siden prøver igen om lidt.',
    chatFailed: 'Chatten har ikke forbindelse lige nu. Den prøver selv igen; ellers genindlæs siden.',
    chatRejected: 'Beskeden blev ikke sendt. Prøv igen om lidt.',
    emptyNote: 'Skriv noten, før du gemmer den.',
    longNote: 'Noten må højst have ' + NOTE_MAX + ' tegn.',
    noteSaved: 'Noten er gemt. Borgeren kan ikke se den.',
    noCaseChat: 'Du har ingen sag, så det, du skriver i chatten, går ikke til nogen borger. Tag en sag i køen.'
  };
  var CHANNELS = { directline: 'Web-chat', webchat: 'Web-chat', msteams: 'Teams', emulator: 'Emulator', test: 'Test' };
  var SPEAKERS = { citizen: 'Borger', bot: 'MitID-hjælperen' };

  function byId(id) {
    return document.getElementById(id);
  }

  var el = {
    skipLink: byId('skip-link'),
    signedIn: byId('signed-in'),
    agentName: byId('agent-name'),
    logout: byId('logout'),
    login: byId('login'),
    loginForm: byId('login-form'),
    loginInfo: byId('login-info'),
    loginError: byId('login-error'),
    username: byId('login-username'),
    password: byId('login-password'),
    loginSubmit: byId('login-submit'),
    desk: byId('desk'),
    deskStatus: byId('desk-status'),
    queueHeading: byId('queue-heading'),
    queueCount: byId('queue-count'),
    queueError: byId('queue-error'),
    queueEmpty: byId('queue-empty'),
    queueList: byId('queue-list'),
    chatTarget: byId('chat-target'),
    chatError: byId('chat-error'),
    webchat: byId('webchat'),
    caseHeading: byId('case-heading'),
    caseNone: byId('case-none'),
    caseBody: byId('case-body'),
    caseError: byId('case-error'),
    caseFacts: byId('case-facts'),
    casePath: byId('case-path'),
    caseIntents: byId('case-intents'),
    notes: byId('notes'),
    notesNone: byId('notes-none'),
    noteForm: byId('note-form'),
    noteText: byId('note-text'),
    noteError: byId('note-error'),
    noteSubmit: byId('note-submit'),
    release: byId('release'),
    close: byId('close'),
    transcript: byId('transcript')
  };

  var session = null;
  var directLine = null;
  var pollTimer = null;
  var refreshing = false;
  // A failed refresh's message goes when a refresh works again; a refused take's stays until the next try.
  var refreshFailed = false;
  var refreshAgain = false;
  var nudgeTimer = null;
  var statusTimer = null;
  // Bumped at sign-out, so answers to requests made before it are ignored.
  var generation = 0;
  var activeCaseId = null;
  var queueSignature = '';
  var caseSignature = '';
  var renderedCaseId = null;

  // ---- small helpers -------------------------------------------------------------------

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fact(list, term, value) {
    list.appendChild(make('dt', '', term));
    list.appendChild(make('dd', '', value));
  }

  function clock(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return '';
    return date.toLocaleTimeString('da-DK', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Copenhagen' });
  }

  function duration(seconds) {
    var minutes = Math.floor(Math.max(0, seconds) / 60);
    if (minutes < 1) return 'under 1 min';
    if (minutes < 60) return minutes + ' min';
    var rest = minutes % 60;
    return Math.floor(minutes / 60) + ' t' + (rest ? ' ' + rest + ' min' : '');
  }

  function channelName(id) {
    return CHANNELS[id] || id || '–';
  }

  // The bot's own texts use Markdown bold; in the panel plain text reads better.
  function plain(text) {
    return String(text || '').replace(/\*\*(.+?)\*\*/g, '$1');
  }

  function pathText(path) {
    return path && path.length ? path.join(' → ') : 'Borgeren har ikke været i guiden.';
  }

  function topicsText(topics) {
    return topics && topics.length ? topics.join(', ') : 'Ingen';
  }

  function whoHas(c) {
    if (c.status === 'queued') return 'Venter';
    if (c.status === 'external') return 'Hos ekstern support';
    if (c.agent && session && c.agent.id === session.agent.username) return 'Hos dig';
    return 'Hos ' + (c.agent ? c.agent.name : 'en medarbejder');
  }

  function showMessage(node, text) {
    setText(node, text || '');
  }

  // Short confirmations ("Noten er gemt") are read aloud and shown for a while.
  function announce(text) {
    clearTimeout(statusTimer);
    setText(el.deskStatus, text);
    statusTimer = setTimeout(function () {
      setText(el.deskStatus, '');
    }, 10000);
  }

  // ---- the session -----------------------------------------------------------------------

  function loadSession() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      if (saved && saved.token && saved.agent && saved.expiresAt > Date.now() + 30000) return saved;
    } catch (e) {
      // A broken entry is the same as none: the agent signs in again.
    }
    return null;
  }

  function saveSession(value) {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    } catch (e) {
      // Without storage the page still works; only a reload asks for the password again.
    }
  }

  function forgetSession() {
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      // Nothing was stored.
    }
  }

  function ApiError(status, code, message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }
  ApiError.prototype = Object.create(Error.prototype);

  function request(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (session) headers.Authorization = 'Bearer ' + session.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(API + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' })
      .catch(function () {
        throw new ApiError(0, 'Network', TEXT.network);
      })
      .then(function (res) {
        if (res.status === 204) return null;
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            if (res.ok) return data;
            var error = (data && data.error) || {};
            throw new ApiError(res.status, error.code || '', error.message || TEXT.failed);
          });
      });
  }

  /** A call with the agent's token; a 401 (expired or revoked) sends the agent back to sign-in. */
  function agentRequest(method, path, body) {
    var asked = generation;
    return request(method, path, body).then(
      function (data) {
        if (asked !== generation) throw new ApiError(0, 'Stale', '');
        return data;
      },
      function (err) {
        if (asked !== generation) throw new ApiError(0, 'Stale', '');
        if (err.status === 401 && session) {
          endSession(err.message || TEXT.expired, true);
          err.handled = true;
        }
        throw err;
      }
    );
  }

  function quiet(err) {
    return err && (err.handled || err.code === 'Stale');
  }

  // ---- sign-in and sign-out -------------------------------------------------------------

  function showLogin() {
    el.login.hidden = false;
    el.desk.hidden = true;
    el.signedIn.hidden = true;
    el.skipLink.setAttribute('href', '#login-username');
    document.title = 'MitID-hjælperen – medarbejdere';
  }

  el.loginForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var username = el.username.value.trim();
    var password = el.password.value;
    showMessage(el.loginInfo, '');
    if (!username || !password) {
      showMessage(el.loginError, TEXT.missingLogin);
      (username ? el.password : el.username).focus();
      return;
    }
    el.loginSubmit.disabled = true;
    request('POST', '/login', { username: username, password: password })
      .then(function (data) {
        el.password.value = '';
        showMessage(el.loginError, '');
        session = {
          token: data.token,
          conversationId: data.conversationId,
          expiresAt: Date.now() + data.expires_in * 1000,
          agent: data.agent
        };
        saveSession(session);
        startDesk(false);
      })
      .catch(function (err) {
        showMessage(el.loginError, err.message || TEXT.failed);
        el.password.focus();
        el.password.select();
      })
      .then(function () {
        el.loginSubmit.disabled = false;
      });
  });

  el.logout.addEventListener('click', function () {
    el.logout.disabled = true;
    agentRequest('POST', '/logout')
      .catch(function () {
        // Signed out locally all the same; the server forgets the agent after a minute.
      })
      .then(function () {
        el.logout.disabled = false;
        if (session) endSession(TEXT.loggedOut, false);
      });
  });

  /** Back to the sign-in form; `message` says why (an error, or "Du er logget ud"). */
  function endSession(message, isError) {
    generation++;
    clearInterval(pollTimer);
    clearTimeout(nudgeTimer);
    clearTimeout(statusTimer);
    pollTimer = null;
    refreshFailed = false;
    if (directLine) {
      var ending = directLine;
      directLine = null;
      try {
        ending.end();
      } catch (e) {
        // Already closed.
      }
    }
    // A fresh container: the next sign-in renders a new Web Chat, never the old one's messages.
    el.webchat.replaceChildren();
    session = null;
    forgetSession();
    activeCaseId = null;
    queueSignature = '';
    caseSignature = '';
    el.queueList.replaceChildren();
    setText(el.queueCount, '');
    setText(el.deskStatus, '');
    showMessage(el.queueError, '');
    showMessage(el.chatError, '');
    showNoCase();
    showMessage(isError ? el.loginError : el.loginInfo, message);
    showMessage(isError ? el.loginInfo : el.loginError, '');
    showLogin();
    el.username.focus();
  }

  function startDesk(resumed) {
    el.login.hidden = true;
    el.desk.hidden = false;
    el.signedIn.hidden = false;
    setText(el.agentName, session.agent.displayName);
    el.skipLink.setAttribute('href', '#webchat');
    showNoCase();
    startChat(resumed);
    refresh();
    pollTimer = setInterval(refresh, QUEUE_EVERY_MS);
    if (!resumed) el.queueHeading.focus();
  }

  // ---- Web Chat --------------------------------------------------------------------------

  function initials(name) {
    return (name || '?').slice(0, 2).toUpperCase();
  }

  function startChat(resumed) {
    // After a reload the same conversation is picked up, and Web Chat fetches what was said.
    var options = { domain: location.origin + '/v3/directline', token: session.token, webSocket: true };
    if (resumed) options.conversationId = session.conversationId;
    var line = window.WebChat.createDirectLine(options);
    directLine = line;
    line.connectionStatus$.subscribe(function (status) {
      if (directLine !== line) return;
      // botframework-directlinejs: 2 Online, 3 ExpiredToken, 4 FailedToConnect, 5 Ended.
      if (status === 3) endSession(TEXT.expired, true);
      else if (status === 4 || status === 5) showMessage(el.chatError, TEXT.chatFailed);
      else if (status === 2) showMessage(el.chatError, '');
    });
    var store = window.WebChat.createStore({}, function () {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/POST_ACTIVITY_REJECTED') showMessage(el.chatError, TEXT.chatRejected);
          else if (action.type === 'DIRECT_LINE/POST_ACTIVITY_FULFILLED') showMessage(el.chatError, '');
          else if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') {
            var from = action.payload && action.payload.activity && action.payload.activity.from;
            // The desk speaks when something changed (a case taken in the chat, a citizen
            // left, a new case): look at the queue now rather than at the next tick.
            if (from && from.role !== 'user') nudge();
          }
          return next(action);
        };
      };
    });
    var host = document.createElement('div');
    host.className = 'webchat-host';
    el.webchat.replaceChildren(host);
    window.WebChat.renderWebChat(
      {
        directLine: line,
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
          bubbleMaxWidth: 640,
          botAvatarInitials: 'MH',
          botAvatarBackgroundColor: '#0050b4',
          userAvatarInitials: initials(session.agent.displayName),
          userAvatarBackgroundColor: '#003a82',
          suggestedActionLayout: 'flow',
          suggestedActionBackgroundColor: '#ffffff',
          suggestedActionTextColor: '#003a82',
          suggestedActionBorderColor: '#0050b4',
          suggestedActionBorderWidth: 2,
          sendBoxHeight: 52,
          hideUploadButton: true
        }
      },
      host
    );
  }

  function nudge() {
    clearTimeout(nudgeTimer);
    nudgeTimer = setTimeout(refresh, 300);
  }

  function focusSendBox() {
    var box = el.webchat.querySelector('input[type="text"], textarea');
    if (box) box.focus();
    else el.webchat.focus();
  }

  // ---- the queue -------------------------------------------------------------------------

  function refresh() {
    if (!session) return Promise.resolve();
    if (refreshing) {
      refreshAgain = true;
      return Promise.resolve();
    }
    refreshing = true;
    return agentRequest('GET', '/queue')
      .then(function (queue) {
        if (refreshFailed) showMessage(el.queueError, '');
        refreshFailed = false;
        renderQueue(queue);
        return followActiveCase(queue.activeCaseId);
      })
      .catch(function (err) {
        if (quiet(err)) return;
        refreshFailed = true;
        showMessage(el.queueError, err.status === 0 ? TEXT.queueFailed : err.message);
      })
      .then(function () {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          refresh();
        }
      });
  }

  function countText(queue) {
    var waiting = queue.cases.filter(function (c) {
      return c.status === 'queued';
    }).length;
    var online = queue.agentsOnline;
    var first = waiting === 0 ? 'Ingen borgere venter' : waiting === 1 ? '1 borger venter' : waiting + ' borgere venter';
    return first + ' · ' + online + (online === 1 ? ' medarbejder' : ' medarbejdere') + ' logget ind';
  }

  function renderQueue(queue) {
    // Only changes are written, so the live region speaks when the count changes, not every tick.
    setText(el.queueCount, countText(queue));
    var waiting = queue.cases.filter(function (c) {
      return c.status === 'queued';
    }).length;
    document.title = (waiting ? '(' + waiting + ') ' : '') + 'MitID-hjælperen – medarbejdere';

    var shown = queue.cases.map(function (c) {
      return [c.id, c.status, c.reason, c.channelId, Math.floor(c.waitingSeconds / 60), c.guidePath, c.recentIntents, c.agent && c.agent.id, c.lastCitizenLine];
    });
    var signature = JSON.stringify(shown);
    el.queueEmpty.hidden = queue.cases.length > 0;
    if (signature === queueSignature) return;
    queueSignature = signature;

    // Rebuilding the list must not throw a keyboard user's focus to the top of the page.
    var focused = document.activeElement && el.queueList.contains(document.activeElement) ? document.activeElement.getAttribute('data-focus') : null;
    el.queueList.replaceChildren.apply(el.queueList, queue.cases.map(caseCard));
    if (focused) {
      var again = el.queueList.querySelector('[data-focus="' + CSS.escape(focused) + '"]');
      (again || el.queueHeading).focus();
    }
  }

  function caseCard(c) {
    var item = make('li', 'case-card case-' + c.status);
    var head = make('div', 'case-card-head');
    head.appendChild(make('h3', '', 'Sag ' + c.id));
    head.appendChild(make('span', 'badge badge-' + c.status, whoHas(c)));
    item.appendChild(head);
    if (c.status !== 'assigned') item.appendChild(make('p', 'waiting', 'Venter ' + duration(c.waitingSeconds)));

    var facts = make('dl', 'facts compact');
    fact(facts, 'Årsag', c.reason);
    fact(facts, 'Forløb', pathText(c.guidePath));
    fact(facts, 'Emner', topicsText(c.recentIntents));
    if (c.lastCitizenLine) fact(facts, 'Sidst skrev borgeren', '“' + c.lastCitizenLine + '”');
    fact(facts, 'Kanal', channelName(c.channelId));
    item.appendChild(facts);

    if (c.status === 'queued') {
      var take = make('button', 'button', 'Overtag');
      take.type = 'button';
      take.setAttribute('data-take', c.id);
      take.setAttribute('data-focus', 'take-' + c.id);
      take.appendChild(make('span', 'visually-hidden', ' sag ' + c.id));
      item.appendChild(take);
    }
    return item;
  }

  el.queueList.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button[data-take]') : null;
    if (button) take(button.getAttribute('data-take'), button);
  });

  function take(id, button) {
    button.disabled = true;
    showMessage(el.queueError, '');
    return agentRequest('POST', '/cases/' + encodeURIComponent(id) + '/take')
      .then(function (taken) {
        announce('Du har nu sag ' + taken.id + '. Det, du skriver i chatten, går til borgeren.');
        activeCaseId = taken.id;
        caseSignature = '';
        renderCase(taken);
        return refresh().then(focusSendBox);
      })
      .catch(function (err) {
        if (quiet(err)) return;
        refreshFailed = false;
        showMessage(el.queueError, err.message);
        button.disabled = false;
        return refresh().then(function () {
          // The button is gone when someone else took the case; the message is next to the queue.
          if (!document.activeElement || document.activeElement === document.body) el.queueHeading.focus();
        });
      });
  }

  // ---- the active case ---------------------------------------------------------------------

  function followActiveCase(id) {
    if (!id) {
      if (activeCaseId) showNoCase();
      activeCaseId = null;
      setText(el.chatTarget, TEXT.noCaseChat);
      return Promise.resolve();
    }
    if (id !== activeCaseId) caseSignature = '';
    activeCaseId = id;
    setText(el.chatTarget, 'Det, du skriver i chatten, går til borgeren i sag ' + id + '.');
    return agentRequest('GET', '/cases/' + encodeURIComponent(id))
      .then(function (record) {
        if (activeCaseId === record.id) renderCase(record);
      })
      .catch(function (err) {
        if (quiet(err)) return;
        if (err.status === 404) showNoCase();
        else showMessage(el.caseError, err.message);
      });
  }

  function showNoCase() {
    caseSignature = '';
    setText(el.caseHeading, 'Din sag');
    el.caseNone.hidden = false;
    el.caseBody.hidden = true;
    showMessage(el.caseError, '');
    showMessage(el.noteError, '');
    setText(el.chatTarget, TEXT.noCaseChat);
  }

  function renderCase(c) {
    // The server gives the reason and the topics in words, as in the queue.
    var reason = c.reason;
    var topics = c.recentIntents;
    var signature = JSON.stringify(c);
    if (signature === caseSignature) return;
    caseSignature = signature;
    // A draft note belongs to the case it was written for, never to the next one.
    if (renderedCaseId !== c.id) {
      el.noteText.value = '';
      showMessage(el.noteError, '');
    }
    renderedCaseId = c.id;
    setText(el.caseHeading, 'Din sag ' + c.id);
    setText(el.chatTarget, 'Det, du skriver i chatten, går til borgeren i sag ' + c.id + '.');
    el.caseNone.hidden = true;
    el.caseBody.hidden = false;

    var facts = document.createDocumentFragment();
    fact(facts, 'Status', whoHas(c));
    fact(facts, 'Årsag', reason);
    fact(facts, 'Kanal', channelName(c.channelId));
    fact(facts, 'Oprettet', 'kl. ' + clock(c.createdAt));
    if (c.takenAt) {
      fact(facts, 'Ventetid', duration((Date.parse(c.takenAt) - Date.parse(c.waitingSince)) / 1000));
      fact(facts, 'Overtaget', 'kl. ' + clock(c.takenAt));
    }
    el.caseFacts.replaceChildren(facts);
    setText(el.casePath, pathText(c.guidePath));
    setText(el.caseIntents, topicsText(topics));

    var notes = c.notes || [];
    el.notesNone.hidden = notes.length > 0;
    el.notes.replaceChildren.apply(
      el.notes,
      notes.map(function (n) {
        var item = make('li', 'note');
        item.appendChild(make('p', 'note-meta', n.agent + ' · kl. ' + clock(n.at)));
        item.appendChild(make('p', 'note-text', n.text));
        return item;
      })
    );

    el.transcript.replaceChildren.apply(
      el.transcript,
      (c.transcript || []).map(function (line) {
        var item = make('li', 'line line-' + line.from);
        var meta = make('p', 'line-meta');
        meta.appendChild(make('span', 'line-who', line.from === 'agent' ? line.name || 'Medarbejder' : SPEAKERS[line.from] || line.from));
        meta.appendChild(make('span', 'line-when', ' kl. ' + clock(line.at)));
        item.appendChild(meta);
        item.appendChild(make('p', 'line-text', plain(line.text)));
        return item;
      })
    );
  }

  el.noteForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var id = activeCaseId;
    var text = el.noteText.value.trim();
    if (!id) return;
    if (!text || text.length > NOTE_MAX) {
      showMessage(el.noteError, text ? TEXT.longNote : TEXT.emptyNote);
      el.noteText.focus();
      return;
    }
    el.noteSubmit.disabled = true;
    agentRequest('POST', '/cases/' + encodeURIComponent(id) + '/note', { text: text })
      .then(function (record) {
        el.noteText.value = '';
        showMessage(el.noteError, '');
        if (activeCaseId === record.id) renderCase(record);
        announce(TEXT.noteSaved);
      })
      .catch(function (err) {
        if (!quiet(err)) showMessage(el.noteError, err.message);
      })
      .then(function () {
        el.noteSubmit.disabled = false;
      });
  });

  function endCase(action, done) {
    var id = activeCaseId;
    if (!id) return;
    el.release.disabled = true;
    el.close.disabled = true;
    showMessage(el.caseError, '');
    agentRequest('POST', '/cases/' + encodeURIComponent(id) + '/' + action)
      .then(function () {
        announce(done(id));
        activeCaseId = null;
        showNoCase();
        el.queueHeading.focus();
        return refresh();
      })
      .catch(function (err) {
        if (!quiet(err)) showMessage(el.caseError, err.message);
      })
      .then(function () {
        el.release.disabled = false;
        el.close.disabled = false;
      });
  }

  el.release.addEventListener('click', function () {
    endCase('release', function (id) {
      return 'Sag ' + id + ' er givet tilbage til botten.';
    });
  });

  el.close.addEventListener('click', function () {
    endCase('close', function (id) {
      return 'Sag ' + id + ' er lukket. Borgeren bliver spurgt, hvor tilfreds han eller hun var.';
    });
  });

  // ---- start -------------------------------------------------------------------------------

  session = loadSession();
  if (session) startDesk(true);
  else {
    forgetSession();
    showLogin();
  }
})();
