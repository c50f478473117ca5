/**
 * Renders an audit result into the page. Every text from the export (titles, names, reasons) is
 * attacker-controlled: it goes in as text nodes only (through `h`), never as markup.
 */
import { h } from './dom.js';
import { renderFindings } from './findings.js';
import { WORDS, type Lang } from './i18n.js';
import type { AuditResult, BodyView, MeetingView } from './protocol.js';

/** The whole result section, in `lang`. */
export function renderResult(result: AuditResult, lang: Lang, keyGiven: boolean): HTMLElement {
  const w = WORDS[lang];
  const v = result.verification;
  const verdict = h(
    'div',
    {
      id: 'verdict',
      class: `verdict ${result.ok ? 'ok' : 'failed'}`,
      'data-verdict': result.ok ? 'ok' : 'failed',
      role: 'status',
    },
    result.ok ? w.verdictOk : w.verdictFailed
  );

  const checks = h(
    'section',
    { id: 'checks' },
    h('h2', {}, w.checksTitle),
    h(
      'ul',
      { class: 'checks' },
      result.checks.map((c) =>
        h(
          'li',
          { class: `check ${c.status}`, 'data-check': c.id, 'data-status': c.status },
          h('span', { class: 'mark' }, c.status === 'pass' ? '✓' : c.status === 'fail' ? '✗' : '–'),
          h('span', { class: 'name' }, w.check[c.id]),
          h(
            'span',
            { class: 'status' },
            c.status === 'pass'
              ? w.pass
              : c.status === 'fail'
                ? w.fail
                : c.stoppedAt !== undefined
                  ? w.stoppedAt(c.stoppedAt)
                  : w.skip
          )
        )
      )
    ),
    !keyGiven ? h('p', { class: 'note' }, w.noKey) : null,
    result.savedCheckpointSize !== null &&
      result.checks.some((c) => c.id === 'saved' && c.status === 'pass')
      ? h(
          'p',
          { class: 'note', id: 'saved-consistent' },
          w.savedConsistent(result.savedCheckpointSize)
        )
      : null
  );

  const findings = renderFindings(result.readable[lang], lang);

  const latest = v.latestCheckpoint?.size ?? null;
  const row = (label: string, value: string, id?: string) =>
    h('tr', id ? { id } : {}, h('th', {}, label), h('td', {}, value));
  const summary = h(
    'section',
    { id: 'summary' },
    h('h2', {}, w.summaryTitle),
    h(
      'table',
      {},
      v.ledgerId ? row(w.ledger, `${v.ledgerId} · ${v.origin ?? ''}`) : null,
      row(w.entries, v.entries.toLocaleString(lang)),
      row(
        w.signaturesLabel,
        w.signatures(v.signaturesVerified, v.entries - (result.redactedEntries ?? 0))
      ),
      row(w.checkpointsLabel, w.checkpoints(result.exportCheckpoints, latest, v.entries)),
      result.redactedEntries !== null
        ? row(
            w.redacted,
            `${result.redactedEntries.toLocaleString(lang)} — ${w.redactedNote}`,
            'redacted-count'
          )
        : null,
      result.scopeBodies ? row(w.scope, result.scopeBodies.join(', ')) : null,
      row(w.replayed, result.replayed.toLocaleString(lang)),
      row(w.time, w.elapsed(result.elapsedMs))
    )
  );

  return h(
    'div',
    { id: 'result' },
    verdict,
    checks,
    findings,
    summary,
    renderTimeline(result.timeline, lang, result.ok)
  );
}

function renderTimeline(bodies: BodyView[], lang: Lang, ok: boolean): HTMLElement {
  const w = WORDS[lang];
  const date = (ms: number) =>
    new Date(ms).toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      timeZone: 'Asia/Shanghai',
    });
  return h(
    'section',
    { id: 'timeline' },
    h('h2', {}, w.timelineTitle),
    !ok ? h('p', { class: 'note' }, w.timelineAsIs) : null,
    bodies.length === 0 ? h('p', {}, w.noTimeline) : null,
    bodies.map((b) => renderBody(b, lang, date))
  );
}

/** Bodies with more meetings than this start closed, and show their latest meetings only. */
const OPEN_UP_TO = 30;
const SHOW_AT_MOST = 300;

/**
 * A body of the timeline. Its meetings are rendered when it is opened (a large ledger has tens
 * of thousands), at most the latest {@link SHOW_AT_MOST}.
 */
function renderBody(b: BodyView, lang: Lang, date: (ms: number) => string): HTMLElement {
  const w = WORDS[lang];
  const details = h(
    'details',
    { class: 'body' },
    h('summary', {}, h('strong', {}, b.name), ` · ${b.meetings.length}`)
  ) as HTMLDetailsElement;
  let rendered = false;
  const fill = () => {
    if (rendered || !details.open) return;
    rendered = true;
    const shown = b.meetings.slice(-SHOW_AT_MOST);
    if (shown.length < b.meetings.length) {
      details.append(h('p', { class: 'note' }, w.latestMeetings(shown.length, b.meetings.length)));
    }
    details.append(...shown.map((m) => renderMeeting(m, lang, date)));
  };
  details.addEventListener('toggle', fill);
  details.open = b.meetings.length <= OPEN_UP_TO;
  fill();
  return details;
}

function renderMeeting(m: MeetingView, lang: Lang, date: (ms: number) => string): HTMLElement {
  const w = WORDS[lang];
  return h(
    'div',
    { class: 'meeting' },
    h('h4', {}, `${date(m.start)} · ${m.title}`),
    h(
      'ul',
      { class: 'items' },
      m.items.map((i) =>
        h(
          'li',
          { class: 'item' },
          h(
            'span',
            { class: `outcome ${i.outcome?.result ?? 'pending'}` },
            i.outcome ? (w.result[i.outcome.result] ?? i.outcome.result) : w.pending
          ),
          ' ',
          h('span', { class: 'title' }, i.title),
          i.outcome ? h('span', { class: 'rule' }, ` ${i.outcome.rule}`) : null,
          h(
            'div',
            { class: 'counts' },
            i.statements.agree + i.statements.disagree + i.statements.defer > 0
              ? w.statements(i.statements.agree, i.statements.disagree, i.statements.defer)
              : null,
            i.outcome?.counts
              ? [
                  i.statements.agree + i.statements.disagree + i.statements.defer > 0 ? ' · ' : '',
                  w.counts(
                    i.outcome.counts.for,
                    i.outcome.counts.against,
                    i.outcome.counts.abstain,
                    i.outcome.counts.denominator
                  ),
                ]
              : null
          ),
          i.dissent.length > 0
            ? h(
                'div',
                { class: 'dissent' },
                `${w.dissent}${lang === 'zh' ? '：' : ': '}`,
                i.dissent
                  .map(
                    (d) =>
                      `${d.name} ${w.position[d.position] ?? d.position}${d.reason ? (lang === 'zh' ? `（${d.reason}）` : ` (${d.reason})`) : ''}`
                  )
                  .join(lang === 'zh' ? '；' : '; ')
              )
            : null
        )
      )
    )
  );
}
