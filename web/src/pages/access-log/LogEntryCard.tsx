// One ledger entry as the resident reads it: when, who (and to whom the
// data went), for what purpose, under which grant and legal basis, whether
// their data was released and why not, what was done; and a button to
// verify it.
import type { ComponentChildren } from 'preact';
import { usePreferences } from '../../app/preferences';
import { formatDateTime } from '../../format/datetime';
import { capacityLabel, consentEventLabel, legalBasisLabel, reasonLabel, roleLabel } from '../../i18n/roles';
import type { AccessEvent, Accessor, LogEntry } from '../../ledger/entries';
import type { EntryCheck } from './useAccessLog';
import { VerifyStatus } from './VerifyStatus';

interface Props {
  entry: LogEntry;
  check: EntryCheck | undefined;
  purposeLabel: (purpose: string) => string;
  // The resident's own account id and data subject: shown as "you".
  self: readonly string[];
  onVerify: () => void;
}

function Field({ label, children, testId }: { label: string; children: ComponentChildren; testId?: string }) {
  return (
    <div class="log-entry__field">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

// Reads of entities are "GET /ngsi-ld/v1/..." or a POST query.
const isRead = (action: string) => action.startsWith('GET ') || action.startsWith('POST /ngsi-ld/v1/entityOperations/query');

export function LogEntryCard({ entry, check, purposeLabel, self, onVerify }: Props) {
  const prefs = usePreferences();
  const { t, locale } = prefs;
  const event = entry.event;
  const titleId = `log-entry-${entry.index}`;
  const time = event?.time;
  const when = time ? formatDateTime(time, prefs) : t('accessLog.noTime');

  const who = (a: Accessor): string => {
    if (a.kind === 'account' && a.account && self.includes(a.account)) return t('accessLog.accessor.self');
    const roles = a.roles.map((r) => roleLabel(r, locale)).join(t('list.separator'));
    let base: string;
    if (a.kind === 'client' && a.name) base = t('accessLog.accessor.clientNamed', { name: a.name });
    else if (a.kind === 'client' && a.client) base = t('accessLog.accessor.client', { id: a.client });
    else if (a.name) base = a.name;
    else if (a.account) base = t('accessLog.accessor.account', { id: a.account });
    else base = t('accessLog.accessor.unknown');
    return roles ? t('accessLog.accessor.withRoles', { who: base, roles }) : base;
  };
  const reasonList = (reasons: readonly string[]) => reasons.map((r) => reasonLabel(r, locale)).join(t('list.separator'));
  const overridden = (basis: string | undefined) =>
    t(basis === 'statutory' ? 'accessLog.overridden.statutory' : basis === 'emergency' ? 'accessLog.overridden.emergency' : 'accessLog.overridden.other');
  const outcomeText: Record<AccessEvent['outcome'], { icon: string; label: 'accessLog.outcome.allowed' | 'accessLog.outcome.denied' | 'accessLog.outcome.unknown' }> = {
    allowed: { icon: '●', label: 'accessLog.outcome.allowed' },
    denied: { icon: '○', label: 'accessLog.outcome.denied' },
    unknown: { icon: '−', label: 'accessLog.outcome.unknown' },
  };

  let title: string;
  let fields: ComponentChildren = null;
  if (!event) {
    title = t('accessLog.kind.unreadable');
  } else if (event.kind === 'access') {
    const outcome = outcomeText[event.outcome];
    title = t(`accessLog.title.${event.outcome}`);
    fields = (
      <>
        <Field label={t('accessLog.field.accessor')} testId="entry-accessor">
          {who(event.accessor)}
        </Field>
        {event.recipient && (
          <Field label={t('accessLog.field.recipient')} testId="entry-recipient">
            {event.recipient}
          </Field>
        )}
        <Field label={t('accessLog.field.purpose')} testId="entry-purpose">
          {event.purpose ? purposeLabel(event.purpose) : t('accessLog.none')}
        </Field>
        {event.grant && (
          <Field label={t('accessLog.field.grant')} testId="entry-grant">
            {event.grantName && <span class="log-entry__grant-name">{event.grantName}</span>}
            <span class="code log-entry__grant-id">{event.grant}</span>
          </Field>
        )}
        {event.requestedGrant && (
          <Field label={t('accessLog.field.requestedGrant')} testId="entry-requested-grant">
            <span class="code log-entry__grant-id">{event.requestedGrant.id}</span>
            <span class="log-entry__grant-refused">
              {t('accessLog.requestedGrant.refused')}
              {event.requestedGrant.reasons.length > 0 &&
                reasonList(event.requestedGrant.reasons) !== reasonList(event.reasons) &&
                t('accessLog.reasonsInline', { reasons: reasonList(event.requestedGrant.reasons) })}
            </span>
          </Field>
        )}
        <Field label={t('accessLog.field.legalBasis')} testId="entry-basis">
          {event.legalBasis ? legalBasisLabel(event.legalBasis, locale) : t('accessLog.none')}
        </Field>
        <Field label={t('accessLog.field.outcome')} testId="entry-outcome">
          <span class={`outcome outcome--${event.outcome}`}>
            <span aria-hidden="true" class="outcome__icon">
              {outcome.icon}
            </span>
            {t(outcome.label)}
          </span>
          {event.reasons.length > 0 && <span class="outcome__reasons">{t('accessLog.reasons', { reasons: reasonList(event.reasons) })}</span>}
          {event.objectionOverridden && (
            <span class="outcome__overridden" data-testid="entry-overridden">
              <span aria-hidden="true" class="outcome__icon">
                !
              </span>
              {overridden(event.legalBasis)}
            </span>
          )}
        </Field>
        <Field label={t('accessLog.field.action')} testId="entry-action">
          {event.action ? (
            <>
              {isRead(event.action) ? t('accessLog.action.read') : t('accessLog.action.other')}
              <span class="code log-entry__request">{event.action}</span>
            </>
          ) : (
            t('accessLog.none')
          )}
        </Field>
      </>
    );
  } else if (event.kind === 'consent') {
    title = t('accessLog.title.consent', { event: consentEventLabel(event.event, locale) });
    fields = (
      <>
        <Field label={t('accessLog.field.purpose')} testId="entry-purpose">
          {event.purposes.length ? event.purposes.map(purposeLabel).join(t('list.separator')) : t('accessLog.none')}
        </Field>
        <Field label={t('accessLog.field.actor')}>
          {event.actor && self.includes(event.actor) ? t('accessLog.accessor.self') : event.actor ? t('accessLog.accessor.account', { id: event.actor }) : t('accessLog.none')}
          {event.capacity && t('accessLog.capacity', { capacity: capacityLabel(event.capacity, locale) })}
        </Field>
        {event.record && (
          <Field label={t('accessLog.field.record')}>
            <span class="code">{event.record}</span>
          </Field>
        )}
      </>
    );
  } else {
    title = t('accessLog.kind.other', { type: event.type });
  }

  return (
    <li class={`log-entry${event?.kind === 'access' ? ` log-entry--${event.outcome}` : ''}`} data-testid="ledger-entry" data-index={entry.index}>
      <article aria-labelledby={titleId}>
        <h3 id={titleId} class="log-entry__title" tabIndex={-1}>
          {time ? <time dateTime={time}>{when}</time> : when}
          <span class="log-entry__what">{title}</span>
        </h3>
        {fields && <dl class="log-entry__fields">{fields}</dl>}
        <div class="log-entry__verify">
          <button
            type="button"
            class="button"
            onClick={() => check !== 'checking' && onVerify()}
            aria-disabled={check === 'checking' ? 'true' : undefined}
            aria-describedby={titleId}
            data-testid="verify-entry"
          >
            {t('verify.button')}
          </button>
          <VerifyStatus check={check} />
        </div>
        <p class="note log-entry__index">{t('accessLog.index', { index: entry.index })}</p>
      </article>
    </li>
  );
}
