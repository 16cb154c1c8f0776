// Go's time formatting, where Hydra's messages print a time.Time and clients may compare the text.

/** Go's `time.Time.String()` in UTC, as fosite prints auth_time, requested_at and expiries in its hints. */
export function goTime(date: Date): string {
  const iso = date.toISOString(); // 2026-12-06T01:02:03.450Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}
