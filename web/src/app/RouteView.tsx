// Renders the page for the current location: bundled pages at once, lazy
// pages after their chunk loads; pages that need a session ask to sign in
// when there is none. Sets the document title and, after an in-app
// navigation, moves focus to the new page's heading.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAuth } from '../auth/AuthProvider';
import { ComingSoonPage } from '../pages/common/ComingSoonPage';
import { NotFoundPage } from '../pages/common/NotFoundPage';
import { RoleRequired, SignInRequired } from '../pages/common/SignInRequired';
import { Status } from '../components/Status';
import { useLocation } from './history';
import { resolveRoute } from './nav';
import { usePreferences } from './preferences';
import type { PageComponent, RouteDef } from './routes';

const loaded = new Map<string, PageComponent>();

function useRoutePage(route: RouteDef | undefined, allowed: boolean): { page?: PageComponent; error?: unknown } {
  const [state, setState] = useState<{ id?: string; page?: PageComponent; error?: unknown }>({});
  useEffect(() => {
    if (!allowed || !route?.load || route.page || loaded.has(route.id)) return;
    let active = true;
    route
      .load()
      .then((module) => {
        loaded.set(route.id, module.default);
        if (active) setState({ id: route.id, page: module.default });
      })
      .catch((error: unknown) => active && setState({ id: route.id, error }));
    return () => {
      active = false;
    };
  }, [route, allowed]);
  if (!route) return {};
  if (route.page) return { page: route.page };
  const cached = loaded.get(route.id);
  if (cached) return { page: cached };
  return state.id === route.id ? { page: state.page, error: state.error } : {};
}

export function RouteView() {
  const { path, search } = useLocation();
  const { t } = usePreferences();
  const resolved = resolveRoute(path);
  const route = resolved?.route;
  const { session } = useAuth();
  const signedOut = !!route?.signedIn && !session;
  // Known not to hold a role the page is for (the roles come with the session).
  const roles = session?.user?.roles;
  const wrongRole = !!route?.roles && !!roles && !route.roles.some((r) => roles.includes(r));
  const { page: Page, error } = useRoutePage(route, !signedOut && !wrongRole);
  const firstRender = useRef(true);

  useEffect(() => {
    document.title = `${t(route?.titleKey ?? 'page.notFound.title')} | ${t('app.name')}`;
  }, [route, t]);

  // Focus the page heading after navigation (not on the first load).
  const ready = !!Page || !route || route.status === 'planned' || signedOut || wrongRole;
  useEffect(() => {
    if (!ready) return;
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }, [path, ready, signedOut]);

  if (!resolved || !route) return <NotFoundPage />;
  if (route.status === 'planned') return <ComingSoonPage titleKey={route.titleKey} />;
  if (signedOut) return <SignInRequired titleKey={route.titleKey} />;
  if (wrongRole) return <RoleRequired titleKey={route.titleKey} roles={route.roles ?? []} />;
  if (error) return <Status kind="error" message={t('status.pageLoadFailed')} />;
  if (!Page) return <Status kind="loading" message={t('status.loading')} />;
  return <Page params={resolved.params} query={new URLSearchParams(search)} />;
}
