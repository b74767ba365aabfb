// Home: the five key factors as the way in, with live figures from the hub.
import { usePreferences } from '../../app/preferences';
import { fiscalYearOfDate, formatDate, formatFiscalYear } from '../../format/datetime';
import { FactorCard } from './FactorCard';
import { FACTORS } from './factors';
import { useAuth } from '../../auth/AuthProvider';
import { SignInLink } from '../common/SignInRequired';
import { HubFigures } from './HubFigures';
import { useHubSummary } from './useHubSummary';

// The hub's figures need a session; signed out, the way to sign in.
function LiveHubFigures() {
  const summary = useHubSummary();
  return <HubFigures summary={summary} />;
}

function HubFiguresOrSignIn() {
  const { t } = usePreferences();
  const { session } = useAuth();
  if (session) return <LiveHubFigures />;
  return (
    <div class="hub-figures hub-figures--signed-out" data-testid="hub-sign-in">
      <p>{t('auth.requiredData')}</p>
      <p>
        <SignInLink />
      </p>
    </div>
  );
}

export function HomePage() {
  const prefs = usePreferences();
  const { t } = prefs;
  const now = new Date();
  const fiscalYear = fiscalYearOfDate(now) ?? now.getFullYear();
  return (
    <div class="page page--home">
      <section class="hero" aria-labelledby="home-heading">
        <h1 id="home-heading">{t('home.heading')}</h1>
        <p class="hero__lead">{t('home.lead')}</p>
        <p class="hero__today" data-testid="today">
          {t('home.today', { date: formatDate(now, prefs), fiscalYear: formatFiscalYear(fiscalYear, prefs) })}
        </p>
      </section>
      <section aria-labelledby="factors-heading">
        <h2 id="factors-heading">{t('home.factors.heading')}</h2>
        <p>{t('home.factors.lead')}</p>
        <ol class="factors">
          {FACTORS.map((factor) => (
            <FactorCard key={factor.id} factor={factor}>
              {factor.id === 'ecosystem' && <HubFiguresOrSignIn />}
            </FactorCard>
          ))}
        </ol>
      </section>
    </div>
  );
}
