import { MemoryCaseRepository } from '../../../serving/cases/memory-case-repository';
import { DetailsCipher } from '../../../serving/cases/details-cipher';
import { describeCaseRepositoryConformance, PII_KEY, testClock, withdrawalCase } from './case-repository-conformance';

describe('MemoryCaseRepository', () => {
  describeCaseRepositoryConformance(async ({ clock, cipher }) => new MemoryCaseRepository({ cipher, now: clock.now }));

  it('holds the details only as ciphertext, in memory too', async () => {
    const repo = new MemoryCaseRepository({ cipher: new DetailsCipher(PII_KEY), now: testClock().now });
    await repo.open(withdrawalCase('wd-1'));
    await repo.label('wd-1', { label: 'fraud', note: 'called +49 170 0000000', labelledBy: 'key-a', at: new Date() });
    // The store's own map, as a heap dump would show it.
    const held = JSON.stringify([...repo['cases'].values()]);
    for (const secret of ['203.0.113.77', 'device-secret-0042', '0x52908400098527886E0F7030069857D2E4169EE7', '11200', '+49 170']) {
      expect(held).not.toContain(secret);
    }
    expect((await repo.reveal('wd-1'))?.note).toBe('called +49 170 0000000');
  });
});
