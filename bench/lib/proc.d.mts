export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  ticks: number;
}
export function tree(root: number): ProcStat[];
export function cpuUs(root: number): { node: number; db: number };
export function nodeRssBytes(root: number): number;
export function selfCpuUs(): number;
export function loadavg1(): number;
