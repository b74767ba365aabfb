// The application shell: preferences, the session, layout and the routed page.
import { AuthProvider } from '../auth/AuthProvider';
import { Layout } from '../components/Layout';
import { PreferencesProvider } from './preferences';
import { RouteView } from './RouteView';

export function App() {
  return (
    <PreferencesProvider>
      <AuthProvider>
        <Layout>
          <RouteView />
        </Layout>
      </AuthProvider>
    </PreferencesProvider>
  );
}
