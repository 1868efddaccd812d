import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../../src/config/suggest.js';

describe('did-you-mean suggestions', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('soruces', 'sources')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest key within a typo, and nothing for unrelated words', () => {
    expect(suggest('prot', ['port', 'baud', 'afterApply'])).toBe('port');
    expect(suggest('afterapply', ['port', 'baud', 'afterApply'])).toBe('afterApply');
    expect(suggest('conflict', ['conflicts', 'keep'])).toBe('conflicts');
    expect(suggest('zzzz', ['port', 'baud'])).toBeUndefined();
  });
});
