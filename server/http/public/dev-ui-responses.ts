// The answers of the built-in dev pages (login, consent, logout, device): an HTML page or a 303 to the next step.
import { PAGE_HEADERS } from '../../dev-ui/render.js';

export type Page = { status: 200 | 400; body: string; headers: Record<string, string> };
export type SeeOther = { status: 303; body: undefined; headers: Record<string, string> };

export const show = (status: Page['status'], body: string): Page => ({
  status,
  body,
  headers: { ...PAGE_HEADERS },
});
export const see = (location: string): SeeOther => ({
  status: 303,
  body: undefined,
  headers: { Location: location },
});

/** A form field: a string, or an array when repeated (a checkbox group); anything else counts as absent. */
export function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
/** A single form field: its first value, or '' when absent. */
export const text = (value: unknown): string => list(value)[0] ?? '';
