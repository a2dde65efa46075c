/**
 * Text typed by a person, made safe to put into a markdown message: Web Chat renders the bot's
 * side as markdown with raw HTML allowed through its sanitiser (an `<img src=…>` survives as an
 * element), so `<`, `>` and `&` are escaped, and the backslash first, so `\<` cannot undo it.
 * Markdown emphasis stays as the person wrote it.
 */
export function escapeMarkdownHtml(text: string): string {
  return text.replace(/[\\<>&]/g, (c) => `\\${c}`);
}
