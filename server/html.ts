// HTML text for the pages the server writes itself (error pages, form_post), shared by domain and HTTP code.

// Go's html.EscapeString, which Hydra's templates use: `"` becomes &#34;, `'` becomes &#39;.
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}
