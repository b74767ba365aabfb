import { render } from 'preact';
import { App } from './app/App';
import { startHistory } from './app/history';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';

startHistory();
const root = document.getElementById('app');
if (root) render(<App />, root);
