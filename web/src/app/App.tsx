// The application shell: preferences, layout and the routed page.
import { Layout } from '../components/Layout';
import { PreferencesProvider } from './preferences';
import { RouteView } from './RouteView';

export function App() {
  return (
    <PreferencesProvider>
      <Layout>
        <RouteView />
      </Layout>
    </PreferencesProvider>
  );
}
