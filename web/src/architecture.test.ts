import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// STYLE.md's import rule, enforced: app → features → components/hooks/lib, and a feature never
// imports another feature (compose them in app).
const root = path.dirname(new URL(import.meta.url).pathname);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** The top-level area (app, lib, components, hooks, features/<name>) a source file or import belongs to. */
function area(absolute: string): string {
  const relative = path.relative(root, absolute).split(path.sep);
  return relative[0] === 'features' ? `features/${relative[1]}` : relative[0]!;
}

function resolve(file: string, specifier: string): string | null {
  if (specifier.startsWith('@/')) return path.join(root, specifier.slice(2));
  if (specifier.startsWith('.')) return path.resolve(path.dirname(file), specifier);
  return null;
}

describe('import rules', () => {
  it('a feature imports no other feature, and shared code imports no feature or app', () => {
    const violations: string[] = [];
    for (const file of files(root)) {
      const from = area(file);
      for (const specifier of imports(file)) {
        const target = resolve(file, specifier);
        if (!target) continue;
        const to = area(target);
        const crossFeature = from.startsWith('features/') && to.startsWith('features/') && from !== to;
        const sharedUp = ['lib', 'components', 'hooks'].includes(from) && (to.startsWith('features/') || to === 'app');
        const featureUp = from.startsWith('features/') && to === 'app';
        if (crossFeature || sharedUp || featureUp) violations.push(`${path.relative(root, file)} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
