// One entry's verification result: an icon and words, never colour alone.
import { usePreferences } from '../../app/preferences';
import type { EntryCheck } from './useAccessLog';

export function VerifyStatus({ check }: { check: EntryCheck | undefined }) {
  const { t } = usePreferences();
  let state = 'idle';
  let icon = '';
  let text = '';
  if (check === 'checking') {
    state = 'checking';
    icon = '…';
    text = t('verify.checking');
  } else if (check?.ok) {
    state = 'verified';
    icon = '✓';
    text = t('verify.ok');
  } else if (check) {
    state = 'failed';
    icon = '✗';
    text = t('verify.failed', { reason: t(`verify.reason.${check.reason}`) });
  }
  // Polite live region: the result is announced when it arrives.
  return (
    <p class={`verify-status verify-status--${state}`} aria-live="polite" data-testid="verify-status" data-state={state}>
      {icon && (
        <span class="verify-status__icon" aria-hidden="true">
          {icon}
        </span>
      )}
      {text}
    </p>
  );
}
