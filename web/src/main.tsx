import { render } from 'preact';
import { configureAuth } from './api/http';
import { App } from './app/App';
import { startHistory } from './app/history';
import { currentToken, handleUnauthorized } from './auth/store';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';

configureAuth({ token: currentToken, unauthorized: handleUnauthorized });
startHistory();
const root = document.getElementById('app');
if (root) render(<App />, root);
