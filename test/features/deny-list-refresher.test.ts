import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DenyListStore } from '../../features/deny-lists/deny-list-store';
import { DenyListRefresher } from '../../features/deny-lists/refresher';
import { FileDenyListStore } from '../../features/store/file-deny-list-store';

const A = `0x${'a'.repeat(40)}`;
const B = `0x${'b'.repeat(40)}`;

it('a refresh asked for after a load sees it, even while an earlier poll (that read the old version) is under way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-refresher-'));
  try {
    const store = new FileDenyListStore(dir);
    await store.replace({ name: 'scam', chain: 'ethereum', addresses: [A] });
    // The real store, with the version read of the first poll held until we let it go.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let versionRead: () => void = () => {};
    const read = new Promise<void>((resolve) => (versionRead = resolve));
    let held = false;
    const slow: DenyListStore = Object.assign(Object.create(store) as DenyListStore, {
      version: async () => {
        const v = await store.version();
        if (held) {
          held = false;
          versionRead();
          await gate;
        }
        return v;
      },
    });
    const refresher = new DenyListRefresher(slow);
    await refresher.refresh(); // version 1 (A) in use
    held = true;
    const poll = refresher.refresh(); // reads version 1 again, then waits at the gate
    await read;
    await store.replace({ name: 'scam', chain: 'ethereum', addresses: [A, B] });
    const asked = refresher.refresh(); // after the load: must end with B listed
    release();
    await Promise.all([poll, asked]);
    expect(refresher.lookup('ethereum', B)).toBe('scam');
    expect(refresher.lookup('ethereum', A)).toBe('scam');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
