/** The two languages replies are written in. */
export type Lang = 'en' | 'zh';

/** A message in both languages. */
export interface Bilingual {
  en: string;
  zh: string;
}

/**
 * Picks English or Simplified Chinese from an `Accept-Language` header (RFC 9110 §12.5.4):
 * the highest-weighted of `zh*` and `en*` wins; English when neither is asked for.
 */
export function pickLanguage(header: string | undefined): Lang {
  if (!header) return 'en';
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(',').slice(0, 32)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const lang: Lang | undefined = tag.startsWith('zh')
      ? 'zh'
      : tag.startsWith('en')
        ? 'en'
        : undefined;
    if (!lang) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'en';
}
