/** The package as published: its LICENSE file says what package.json says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('the package', () => {
  it('has a LICENSE file matching package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(pkg.license).toBe('MIT');
    expect(license.split('\n')[0]).toBe(`${pkg.license} License`);
    expect(license).toContain('Permission is hereby granted, free of charge');
  });
});
