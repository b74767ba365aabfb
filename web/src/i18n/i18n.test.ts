import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ja } from './ja';
import { initialLocale, interpolate, translator } from './translate';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('have the same keys in Japanese and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it('have no empty messages', () => {
    for (const [key, value] of [...Object.entries(ja), ...Object.entries(en)]) expect(value.trim(), key).not.toBe('');
  });

  it('use the same placeholders in both languages, except date templates', () => {
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      if (key.startsWith('date.') || key.startsWith('fiscal.')) continue;
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]));
    }
  });

  it('keep English free of Japanese text, except the language name', () => {
    const cjk = /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;
    for (const [key, value] of Object.entries(en)) expect(cjk.test(value), `${key}: ${value}`).toBe(false);
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(interpolate('no params')).toBe('no params');
  });

  it('translates by locale', () => {
    expect(translator('ja')('nav.map')).toBe('都市マップ');
    expect(translator('en')('nav.map')).toBe('City map');
    expect(translator('ja')('explorer.results.summary', { total: 3, from: 1, to: 3 })).toBe('全3件中 1〜3件を表示');
  });

  it('starts in Japanese unless English was chosen', () => {
    expect(initialLocale(null)).toBe('ja');
    expect(initialLocale('fr')).toBe('ja');
    expect(initialLocale('en')).toBe('en');
  });
});

// Every UI string lives in the catalogs: no Japanese outside ja.ts, and no
// bare English text between JSX tags.
describe('components', () => {
  const root = join(__dirname, '..');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !/\.test\.ts$/.test(name)) files.push(path);
    }
  };
  walk(root);

  it('hold no Japanese text outside the ja catalog', () => {
    const cjk = /[\u3040-\u30ff\u3400-\u9fff]/;
    const offenders = files
      .filter((f) => !f.endsWith(join('i18n', 'ja.ts')))
      .filter((f) => cjk.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('hold no literal text between JSX tags', () => {
    const offenders: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.tsx'))) {
      const source = readFileSync(file, 'utf8');
      const jsxText = /(?:<[A-Za-z][\w.-]*(?:\s[^<>]*[^/<>])?>|<\/[\w.-]*>)([^<>{}();=]+)</g;
      const afterExpression = /\}([^<>{}();=]+)<\//g;
      for (const match of [...source.matchAll(jsxText), ...source.matchAll(afterExpression)]) {
        const text = match[1]?.trim() ?? '';
        if (/[A-Za-z]{2,}/.test(text)) offenders.push(`${relative(root, file)}: ${text}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
