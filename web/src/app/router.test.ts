import { describe, expect, it } from 'vitest';
import { buildPath, matchPath } from './match';
import { navItems, resolveRoute } from './nav';
import { ROUTES } from './routes';

describe('route matching', () => {
  it('matches static and parameter segments', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/map', '/map/')).toEqual({});
    expect(matchPath('/map', '/mapx')).toBeNull();
    expect(matchPath('/explorer/entities/:id', '/explorer/entities/urn%3Angsi-ld%3AX%3A1')).toEqual({ id: 'urn:ngsi-ld:X:1' });
    expect(matchPath('/explorer/entities/:id', '/explorer/entities/%E0%A4%A')).toBeNull();
  });

  it('builds paths with encoded parameters', () => {
    expect(buildPath('/explorer/entities/:id', { id: 'urn:ngsi-ld:Shelter:避難所/1' })).toBe(
      '/explorer/entities/urn%3Angsi-ld%3AShelter%3A%E9%81%BF%E9%9B%A3%E6%89%80%2F1',
    );
  });

  it('resolves the route table', () => {
    expect(resolveRoute('/')?.route.id).toBe('home');
    expect(resolveRoute('/explorer')?.route.id).toBe('explorer');
    expect(resolveRoute('/explorer/entities/x')?.route.id).toBe('entity');
    expect(resolveRoute('/portal')?.route.status).toBe('planned');
    expect(resolveRoute('/nowhere')).toBeNull();
  });

  it('derives the navigation with planned modules and the current section', () => {
    const items = navItems('/explorer/entities/x');
    expect(items.map((i) => i.route.id)).toEqual(['home', 'explorer', 'map', 'portal', 'dashboard', 'lab', 'ethics', 'catalog']);
    expect(items.filter((i) => i.current).map((i) => i.route.id)).toEqual(['explorer']);
    expect(items.filter((i) => i.planned).length).toBe(5);
  });

  it('lists pages for some roles to those roles only', () => {
    expect(navItems('/').some((i) => i.route.id === 'accessLog')).toBe(false);
    expect(navItems('/', ROUTES, ['admin']).some((i) => i.route.id === 'accessLog')).toBe(false);
    const resident = navItems('/me/access-log', ROUTES, ['resident']);
    expect(resident.map((i) => i.route.id)).toEqual(['home', 'explorer', 'map', 'accessLog', 'portal', 'dashboard', 'lab', 'ethics', 'catalog']);
    expect(resident.filter((i) => i.current).map((i) => i.route.id)).toEqual(['accessLog']);
  });

  it('resolves the sign-in page and asks for a session where data is read', () => {
    expect(resolveRoute('/login')?.route.id).toBe('login');
    expect(resolveRoute('/login')?.route.signedIn).toBeFalsy();
    expect(resolveRoute('/')?.route.signedIn).toBeFalsy();
    for (const path of ['/explorer', '/explorer/entities/x', '/map', '/me/access-log']) expect(resolveRoute(path)?.route.signedIn, path).toBe(true);
  });

  it('gives every ready route a page', () => {
    for (const route of ROUTES) if (route.status === 'ready') expect(!!(route.page ?? route.load), route.id).toBe(true);
  });
});
