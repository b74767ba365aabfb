// The main navigation, derived from the route table.
import { matchPath } from './match';
import { ROUTES, type RouteDef } from './routes';

export interface NavItem {
  route: RouteDef;
  current: boolean;
  planned: boolean;
}

// Routes for some roles only are listed for accounts with one of them.
export function navItems(path: string, routes: readonly RouteDef[] = ROUTES, roles: readonly string[] = []): NavItem[] {
  return routes
    .filter((r) => r.nav && (!r.roles || r.roles.some((role) => roles.includes(role))))
    .sort((a, b) => (a.nav?.order ?? 0) - (b.nav?.order ?? 0))
    .map((route) => ({
      route,
      planned: route.status === 'planned',
      // A section is current for its own path and the paths below it.
      current: route.path === '/' ? path === '/' : path === route.path || path.startsWith(`${route.path}/`),
    }));
}

export function resolveRoute(path: string, routes: readonly RouteDef[] = ROUTES): { route: RouteDef; params: Record<string, string> } | null {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}
