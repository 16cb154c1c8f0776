// The bench's CPU accounting (bench/lib/proc.mjs): a process tree's CPU must keep what its exited descendants
// used, or a PostgreSQL backend closing mid-measurement makes the database's CPU per request negative.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { cpuUs, tree } from '../../bench/lib/proc.mjs';

// A parent that starts a child burning about 400 ms of CPU, waits for it to exit, says so, then idles.
const PARENT = `
const { spawn } = require('node:child_process');
const burner = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end) {}']);
console.log('burner ' + burner.pid);
burner.on('exit', () => { console.log('exited'); setInterval(() => {}, 1000); });
`;

describe('bench: CPU of a process tree', () => {
  let parent: ChildProcess | undefined;
  afterEach(() => parent?.kill());

  it('keeps counting a descendant after it has exited', async () => {
    parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout?.on('data', (d) => {
      out += d;
    });
    const pid = parent.pid as number;
    const before = cpuUs(pid).node;
    let seenBurner = false;
    let highest = before;
    while (!out.includes('exited')) {
      const now = cpuUs(pid).node;
      // Never decreasing, whether the burner is running, exiting or gone.
      expect(now).to.be.at.least(highest);
      highest = now;
      if (out.includes('burner ') && tree(pid).length > 1) seenBurner = true;
      await new Promise((r) => setTimeout(r, 20));
      if (parent.exitCode !== null) throw new Error(`parent exited: ${out}`);
    }
    const after = cpuUs(pid).node;
    expect(seenBurner, 'the burner was seen as part of the tree').to.equal(true);
    expect(tree(pid)).to.have.length(1);
    // The burner's ~400 ms is still in the sum (ticks are 10 ms; allow for a slow start).
    expect(after - before).to.be.greaterThan(300_000);
    parent.kill();
    await once(parent, 'exit');
  });
});
