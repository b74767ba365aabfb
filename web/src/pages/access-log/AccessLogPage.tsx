// 私のデータの利用履歴: the signed-in resident's entries in the access
// ledger, newest first, and verification of each in this browser
// (src/ledger/verify.ts): the entry's commitment, its inclusion proof up
// to the signed tree head, and the head's Ed25519 signature.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { usePreferences } from '../../app/preferences';
import { errorMessage } from '../../api/errors';
import { ApiError } from '../../api/http';
import { listPurposes } from '../../api/machi';
import { useAuth } from '../../auth/AuthProvider';
import { Status } from '../../components/Status';
import { formatDateTime } from '../../format/datetime';
import { formatNumber } from '../../format/number';
import { useAsync } from '../../hooks/useAsync';
import { hasOlder } from '../../ledger/newest';
import { keyFingerprint } from '../../ledger/verify';
import { LogEntryCard } from './LogEntryCard';
import { useAccessLog } from './useAccessLog';

export default function AccessLogPage() {
  const prefs = usePreferences();
  const { t, locale } = prefs;
  const { session } = useAuth();
  const { state, checks, head, summary, verifyingAll, showMore, verify } = useAccessLog();
  const purposes = useAsync((signal) => listPurposes(signal), []);

  const purposeLabel = useMemo(() => {
    const labels = new Map<string, string>();
    if (purposes.status === 'done') {
      for (const p of purposes.data) {
        const label = p.label[locale] ?? p.label.ja ?? p.label.en ?? p.shortName;
        labels.set(p.id, label);
        labels.set(p.shortName, label);
      }
    }
    return (purpose: string) => labels.get(purpose) ?? purpose;
  }, [purposes, locale]);

  const [fingerprint, setFingerprint] = useState<string | null>(null);
  useEffect(() => {
    setFingerprint(null);
    if (head) void keyFingerprint(head.head.publicKey).then(setFingerprint);
  }, [head]);

  // After "show older", focus moves to the first entry that appeared.
  const focusAt = useRef<number | null>(null);
  const shown = state.status === 'done' ? state.shown : 0;
  useEffect(() => {
    if (focusAt.current === null || shown <= focusAt.current) return;
    document.querySelectorAll<HTMLElement>('[data-testid="ledger-entry"] h3')[focusAt.current]?.focus();
    focusAt.current = null;
  }, [shown]);

  const subject = state.status === 'done' ? state.log.subject : '';
  const entries = useMemo(() => (state.status === 'done' ? state.entries.slice(0, state.shown) : []), [state]);

  const accountId = session?.user?.accountId;
  const self = useMemo(() => [accountId, subject].filter((id): id is string => !!id), [accountId, subject]);

  let body;
  if (state.status === 'loading') {
    body = <Status kind="loading" message={t('accessLog.loading')} />;
  } else if (state.status === 'error') {
    const error = state.error;
    const message =
      error instanceof ApiError && error.status === 400
        ? t('accessLog.noSubject')
        : error instanceof ApiError && error.status === 403
          ? t('auth.roleRequired', { roles: t('role.resident') })
          : errorMessage(error, t);
    body = <Status kind="error" message={message} />;
  } else if (entries.length === 0) {
    body = <Status kind="empty" message={t('accessLog.empty')} />;
  } else {
    const older = hasOlder(state.log) || state.log.entries.length > state.shown;
    const onMore = () => {
      if (state.loadingMore) return;
      focusAt.current = state.shown;
      void showMore();
    };
    body = (
      <>
        <div class="access-log__toolbar">
          <p class="access-log__count" data-testid="access-log-count">
            {t('accessLog.summary', { count: formatNumber(entries.length, locale) })}
          </p>
          <button
            type="button"
            class="button button--primary"
            onClick={() => !verifyingAll && void verify(state.log.entries.slice(0, state.shown), true)}
            aria-disabled={verifyingAll ? 'true' : undefined}
            data-testid="verify-all"
          >
            {verifyingAll ? t('verify.checking') : t('verify.all')}
          </button>
        </div>
        <div aria-live="polite" class="access-log__summary" data-testid="verify-summary">
          {summary && (
            <p class={`status ${summary.failed ? 'status--error' : 'status--ok'}`}>
              <span aria-hidden="true">{summary.failed ? '✗ ' : '✓ '}</span>
              {summary.failed
                ? t('verify.summary', { total: formatNumber(summary.total, locale), ok: formatNumber(summary.ok, locale), failed: formatNumber(summary.failed, locale) })
                : t('verify.allOk', { total: formatNumber(summary.total, locale) })}
            </p>
          )}
        </div>
        <ol class="access-log" aria-label={t('accessLog.listLabel')} data-testid="access-log">
          {entries.map((entry) => (
            <LogEntryCard
              key={entry.index}
              entry={entry}
              check={checks.get(entry.index)}
              purposeLabel={purposeLabel}
              self={self}
              onVerify={() => void verify([entry.doc], false)}
            />
          ))}
        </ol>
        {state.moreError !== undefined && <Status kind="error" message={errorMessage(state.moreError, t)} />}
        {older ? (
          <p>
            <button type="button" class="button" onClick={onMore} aria-disabled={state.loadingMore ? 'true' : undefined} data-testid="show-older">
              {state.loadingMore ? t('status.loading') : t('accessLog.more')}
            </button>
          </p>
        ) : (
          <p class="note">{t('accessLog.noMore')}</p>
        )}
        {head && (
          <p class="note" data-testid="verify-head">
            {t('verify.head', {
              size: formatNumber(head.head.size, locale),
              time: formatDateTime(head.head.timestamp, prefs),
              fingerprint: fingerprint ?? '…',
            })}
          </p>
        )}
      </>
    );
  }

  return (
    <div class="page page--access-log">
      <h1>{t('page.accessLog.title')}</h1>
      <p class="lead">{t('accessLog.lead')}</p>
      {body}
      <details class="how-it-works">
        <summary>{t('verify.howHeading')}</summary>
        <p>{t('verify.how1')}</p>
        <p>{t('verify.how2')}</p>
        <p>{t('verify.how3')}</p>
      </details>
    </div>
  );
}
