/*
 * Embed MitID-hjælperen on another web site with one tag:
 *   <script src="https://BOT-HOST/embed.js" async></script>
 * It adds a launcher button and a chat panel holding the bot's own page in an iframe, so
 * the site's styles cannot break the chat. The bot only lets sites listed in
 * WIDGET_ALLOWED_ORIGINS show that page (Content-Security-Policy frame-ancestors).
 *
 * A classic script, as the sites paste it: everything is in one block, so none of its names
 * become globals of the host page.
 */
'use strict';
{
  // dialogs/pages.yaml's `embed` texts; the server writes them here when it reads this file.
  const text = /* page-texts */ {};
  const BLUE = '#0050b4';
  const PANEL_ID = 'mitid-hjaelperen-panel';

  const launcher = () => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text.open;
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', PANEL_ID);
    button.style.cssText =
      'position:fixed;right:1.5rem;bottom:1.5rem;z-index:2147483000;padding:0.9rem 1.4rem;font:600 18px system-ui,sans-serif;' +
      'color:#fff;background:' + BLUE + ';border:0;border-radius:2rem;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer;';
    // The host site's styles may hide focus; the launcher shows its own.
    button.addEventListener('focus', () => {
      button.style.outline = '3px solid #ffbf47';
      button.style.outlineOffset = '2px';
    });
    button.addEventListener('blur', () => {
      button.style.outline = 'none';
    });
    return button;
  };

  const chatPanel = () => {
    const panel = document.createElement('div');
    panel.id = PANEL_ID;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', text.panel);
    panel.hidden = true;
    panel.style.cssText =
      'position:fixed;right:1.5rem;bottom:5.5rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));' +
      'height:min(40rem,calc(100vh - 7rem));background:#fff;border:2px solid ' + BLUE + ';border-radius:0.75rem;overflow:hidden;' +
      'box-shadow:0 4px 16px rgba(0,0,0,.3);';
    return panel;
  };

  // The chat page is loaded on the first open only, so a site's visitors who never open it cost the bot nothing.
  const chatFrame = (base) => {
    const frame = document.createElement('iframe');
    frame.title = text.frame;
    frame.src = base + '/?embedded=1';
    frame.style.cssText = 'width:100%;height:100%;border:0;';
    return frame;
  };

  const wire = (base, button, panel) => {
    let frame = null;
    const open = () => {
      if (!frame) frame = panel.appendChild(chatFrame(base));
      panel.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      button.textContent = text.close;
      frame.focus();
    };
    const close = () => {
      panel.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      button.textContent = text.open;
      button.focus();
    };
    button.addEventListener('click', () => (panel.hidden ? open() : close()));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !panel.hidden) close();
    });
    // The chat page asks to close when Esc is pressed inside it (only trusted from the bot's origin).
    window.addEventListener('message', (event) => {
      if (event.origin === base && event.data && event.data.type === 'mitid-hjaelperen:close' && !panel.hidden) close();
    });
  };

  if (!window.__mitidHjaelperen) {
    window.__mitidHjaelperen = true;
    const script = document.currentScript;
    const base = script ? new URL(script.src, location.href).origin : '';
    const button = launcher();
    const panel = chatPanel();
    wire(base, button, panel);
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }
}
