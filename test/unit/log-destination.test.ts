// The server's stdout log destination, in a real child process writing to a real pipe: every line arrives
// whole and in order, lines logged just before exit included, and a line is out within the same turn's end.
import { spawn } from 'node:child_process';
import { expect } from 'chai';

const SCRIPT = `
import { turnBufferedStdout } from './server/log-destination.ts';
const out = turnBufferedStdout();
// Many lines in one turn (more than one pipe-atomic batch), some with multi-byte characters.
for (let i = 0; i < 3000; i++) out.write(JSON.stringify({ i, name: i % 7 ? 'plain' : 'ünïcödé ✓' }) + '\\n');
setTimeout(() => {
  out.write(JSON.stringify({ i: 3000, late: true }) + '\\n');
  // Logged in the same turn as the exit: written by the exit hook.
  out.write(JSON.stringify({ i: 3001, last: true }) + '\\n');
  process.exit(0);
}, 50);
`;

describe('log destination (stdout, one write per event-loop turn)', () => {
  it('delivers every line whole and in order, including those logged right before exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).to.equal(0);
    const lines = text.split('\n');
    expect(lines.pop()).to.equal('');
    const parsed = lines.map((l) => JSON.parse(l) as { i: number; name?: string });
    expect(parsed.map((p) => p.i)).to.deep.equal(Array.from({ length: 3002 }, (_, i) => i));
    expect(parsed[7]?.name).to.equal('ünïcödé ✓');
  });
});
