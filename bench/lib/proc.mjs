// Server CPU and memory from /proc: utime+stime of a process and all its descendants (cluster workers, an
// embedded PostgreSQL and its backends), split into Node and PostgreSQL processes.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces; fields after it are space-separated.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const f = text.slice(close + 2).split(' ');
    // utime + stime, plus cutime + cstime: the time of children that have exited and been waited for (a
    // PostgreSQL backend whose pool connection closed, an autovacuum worker), which would otherwise vanish
    // from the sum mid-measurement and make a delta negative.
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return { pid, comm, ppid: Number(f[1]), ticks };
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (itself included). */
export function tree(root) {
  const all = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) all.push(s);
  }
  const children = new Map();
  for (const s of all) {
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(s);
  }
  const out = [];
  const rootStat = all.find((s) => s.pid === root);
  if (!rootStat) return out;
  const queue = [rootStat];
  while (queue.length) {
    const s = queue.shift();
    out.push(s);
    queue.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

/** CPU µs so far of a process tree, as { node, db } (PostgreSQL processes are counted apart). */
export function cpuUs(root) {
  const sums = { node: 0, db: 0 };
  for (const s of tree(root)) {
    if (s.comm.startsWith('postgres') || s.comm.startsWith('postmaster')) sums.db += s.ticks * TICK_US;
    else sums.node += s.ticks * TICK_US;
  }
  return sums;
}

/** Resident set size in bytes of the Node processes of a tree (PostgreSQL's shared buffers left out). */
export function nodeRssBytes(root) {
  let total = 0;
  for (const s of tree(root)) {
    if (s.comm.startsWith('postgres')) continue;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${s.pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {}
  }
  return total;
}

export function selfCpuUs() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function loadavg1() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
