/*
 * Reflow at 400 % zoom (WCAG 2.1 1.4.10): a laptop's 1366×768 screen is then 341×192 CSS px.
 * At such a height Web Chat's spacing shrinks so the buttons and the box to write in stay on
 * screen with part of the conversation; widget.css hides the page header at the same height.
 */
const SHORT_SCREEN = '(max-height: 20rem)';
const COMPACT = { paddingRegular: 6, paddingWide: 8, suggestedActionHeight: 40, sendBoxHeight: 44 };

/**
 * `render(style)` draws the chat and returns a function that draws it again in another style;
 * it gets `style`, made compact while the window is short, and again whenever that changes.
 */
export function fitScreen(style, render) {
  const short = window.matchMedia(SHORT_SCREEN);
  const current = () => (short.matches ? { ...style, ...COMPACT } : style);
  const restyle = render(current());
  short.addEventListener('change', () => restyle(current()));
}
