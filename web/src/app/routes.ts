// The route table. A new module adds one entry here and one page component:
// its path, its title and nav label in the catalogs, and a lazy loader.
// Entries with status 'planned' show in the navigation as 準備中 / coming soon.
// Pages that read the API need a signed-in session (signedIn); pages for
// some roles only (roles) are in the navigation for those roles only.
import type { ComponentType } from 'preact';
import type { MessageKey } from '../i18n/ja';
import { HomePage } from '../pages/home/HomePage';
import type { RouteParams } from './match';

export interface PageProps {
  params: RouteParams;
  query: URLSearchParams;
}

export type PageComponent = ComponentType<PageProps>;

export interface RouteDef {
  id: string;
  path: string;
  titleKey: MessageKey;
  status: 'ready' | 'planned';
  // The page, bundled with the first page (home) or loaded on first visit.
  page?: PageComponent;
  load?: () => Promise<{ default: PageComponent }>;
  // Shown in the main navigation, in this order.
  nav?: { labelKey: MessageKey; order: number };
  // Needs a signed-in session: signed out, the page asks to sign in instead.
  signedIn?: boolean;
  // For accounts with one of these roles (the server decides all the same).
  roles?: readonly string[];
}

export const ROUTES: readonly RouteDef[] = [
  { id: 'home', path: '/', titleKey: 'page.home.title', status: 'ready', page: HomePage, nav: { labelKey: 'nav.home', order: 0 } },
  {
    id: 'explorer',
    path: '/explorer',
    titleKey: 'page.explorer.title',
    status: 'ready',
    load: () => import('../pages/explorer/ExplorerPage'),
    nav: { labelKey: 'nav.explorer', order: 10 },
    signedIn: true,
  },
  {
    id: 'entity',
    path: '/explorer/entities/:id',
    titleKey: 'page.entity.title',
    status: 'ready',
    load: () => import('../pages/entity/EntityPage'),
    signedIn: true,
  },
  {
    id: 'map',
    path: '/map',
    titleKey: 'page.map.title',
    status: 'ready',
    load: () => import('../pages/map/CityMapPage'),
    nav: { labelKey: 'nav.map', order: 20 },
    signedIn: true,
  },
  {
    id: 'accessLog',
    path: '/me/access-log',
    titleKey: 'page.accessLog.title',
    status: 'ready',
    load: () => import('../pages/access-log/AccessLogPage'),
    nav: { labelKey: 'nav.accessLog', order: 25 },
    signedIn: true,
    roles: ['resident'],
  },
  { id: 'login', path: '/login', titleKey: 'page.login.title', status: 'ready', load: () => import('../pages/login/LoginPage') },
  { id: 'portal', path: '/portal', titleKey: 'module.portal', status: 'planned', nav: { labelKey: 'module.portal', order: 30 } },
  { id: 'dashboard', path: '/dashboard', titleKey: 'module.dashboard', status: 'planned', nav: { labelKey: 'module.dashboard', order: 40 } },
  { id: 'lab', path: '/lab', titleKey: 'module.lab', status: 'planned', nav: { labelKey: 'module.lab', order: 50 } },
  { id: 'ethics', path: '/ethics', titleKey: 'module.ethics', status: 'planned', nav: { labelKey: 'module.ethics', order: 60 } },
  { id: 'catalog', path: '/catalog', titleKey: 'module.catalog', status: 'planned', nav: { labelKey: 'module.catalog', order: 70 } },
];

export function routeById(id: string): RouteDef | undefined {
  return ROUTES.find((r) => r.id === id);
}
