/**
 * The findings section: the readable report @yishi/verify builds for `yishi audit` (worded there,
 * in both languages), laid out as elements. Integrity first, with the replay findings that follow
 * from it under it, then the other findings, then the notices; nothing here words a finding.
 */
import type { ReadableFinding, ReadableReport } from '@yishi/verify';
import { h } from './dom.js';
import { WORDS, type Lang } from './i18n.js';

/** A heading of the text report without its closing colon (`Replay findings:`). */
const heading = (text: string) => text.replace(/\s*[:：]$/, '');

function findingItem(f: ReadableFinding): HTMLElement {
  const lines = [...f.where, ...f.differences.map((d) => `${d.path}: ${d.text}`), ...f.notes];
  return h(
    'li',
    { class: 'finding', 'data-code': f.code, 'data-seq': String(f.seq) },
    h('div', { class: 'heading' }, `${f.label} — ${f.title}`),
    lines.length > 0
      ? h(
          'ul',
          {},
          lines.map((l) => h('li', {}, l))
        )
      : null
  );
}

const findingList = (list: ReadableFinding[]) =>
  h('ol', { class: 'findings' }, list.map(findingItem));

/** The findings of `r` (in its language), with the page's own headings in `lang`. */
export function renderFindings(r: ReadableReport, lang: Lang): HTMLElement {
  const w = WORDS[lang];
  const i = r.integrity;
  const integrity = i
    ? h(
        'ol',
        { class: 'findings' },
        h(
          'li',
          {
            class: 'finding',
            'data-code': i.check,
            ...(i.seq !== undefined ? { 'data-seq': String(i.seq) } : {}),
          },
          h('div', { class: 'heading' }, `${i.label} — ${i.title}`),
          i.where.length > 0 || i.detail !== ''
            ? h(
                'ul',
                {},
                [...i.where, i.detail].filter((l) => l !== '').map((l) => h('li', {}, l))
              )
            : null,
          i.consequences.length > 0
            ? [
                h('p', { class: 'consequences' }, heading(i.consequencesHeading)),
                findingList(i.consequences),
              ]
            : null
        )
      )
    : null;
  return h(
    'section',
    { id: 'findings' },
    h('h2', {}, w.findingsTitle),
    !i && r.findings.length === 0 ? h('p', {}, w.noFindings) : null,
    integrity ? [h('h3', {}, w.integrity), integrity] : null,
    r.findings.length > 0
      ? [h('h3', {}, heading(r.findingsHeading)), findingList(r.findings)]
      : null,
    // The report's own line points at --json, which the page does not have.
    r.truncated !== undefined ? h('p', { class: 'note' }, w.truncated) : null,
    r.notices.length > 0
      ? [
          h('h3', {}, heading(r.noticesHeading)),
          h(
            'ul',
            { class: 'notices' },
            r.notices.map((n) => h('li', {}, n))
          ),
        ]
      : null
  );
}
