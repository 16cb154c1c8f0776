// JtiStore in memory, for unit tests of the assertion checks.
import type { JtiStore } from '../../server/oauth2/ports.js';

export class MemoryJtiStore implements JtiStore {
  readonly seen = new Map<string, Date>();

  async claim(jti: string, expiresAt: Date): Promise<boolean> {
    const previous = this.seen.get(jti);
    if (previous && previous.getTime() > Date.now()) return false;
    this.seen.set(jti, expiresAt);
    return true;
  }
}
