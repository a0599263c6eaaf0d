import { describe, expect, it } from 'vitest';
import { fuzzyScore } from './CommandPalette';

describe('fuzzyScore', () => {
  it('matches subsequences and prefers matches in the file name', () => {
    expect(fuzzyScore('apy', 'src/app.py')).not.toBeNull();
    expect(fuzzyScore('xyz', 'src/app.py')).toBeNull();
    expect(fuzzyScore('app', 'src/app.py')!).toBeGreaterThan(fuzzyScore('app', 'app/src/zzz.py')!);
  });
});
