/*
 * Embed MitID-hjælperen on another web site with one tag:
 *   <script src="https://BOT-HOST/embed.js" async></script>
 * It adds a launcher button and a chat panel holding the bot's own page in an iframe, so
 * the site's styles cannot break the chat. The bot only lets sites listed in
 * WIDGET_ALLOWED_ORIGINS show that page (Content-Security-Policy frame-ancestors).
 */
(function () {
  'use strict';
  if (window.__mitidHjaelperen) return;
  window.__mitidHjaelperen = true;

  var script = document.currentScript;
  var base = script ? new URL(script.src, location.href).origin : '';
  var blue = '#0050b4';

  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Hjælp til MitID';
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'mitid-hjaelperen-panel');
  button.style.cssText =
    'position:fixed;right:1.5rem;bottom:1.5rem;z-index:2147483000;padding:0.9rem 1.4rem;font:600 18px system-ui,sans-serif;' +
    'color:#fff;background:' + blue + ';border:0;border-radius:2rem;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer;';
  button.addEventListener('focus', function () {
    button.style.outline = '3px solid #ffbf47';
    button.style.outlineOffset = '2px';
  });
  button.addEventListener('blur', function () {
    button.style.outline = 'none';
  });

  var panel = document.createElement('div');
  panel.id = 'mitid-hjaelperen-panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', 'Chat med MitID-hjælperen');
  panel.hidden = true;
  panel.style.cssText =
    'position:fixed;right:1.5rem;bottom:5.5rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));' +
    'height:min(40rem,calc(100vh - 7rem));background:#fff;border:2px solid ' + blue + ';border-radius:0.75rem;overflow:hidden;' +
    'box-shadow:0 4px 16px rgba(0,0,0,.3);';

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.title = 'MitID-hjælperen';
      frame.src = base + '/?embedded=1';
      frame.style.cssText = 'width:100%;height:100%;border:0;';
      panel.appendChild(frame);
    }
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    button.textContent = 'Luk chatten';
    frame.focus();
  }
  function close() {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.textContent = 'Hjælp til MitID';
    button.focus();
  }
  button.addEventListener('click', function () {
    if (panel.hidden) open();
    else close();
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && !panel.hidden) close();
  });
  // The chat page asks to close when Esc is pressed inside it (only trusted from the bot's origin).
  window.addEventListener('message', function (event) {
    if (event.origin === base && event.data && event.data.type === 'mitid-hjaelperen:close' && !panel.hidden) close();
  });

  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
