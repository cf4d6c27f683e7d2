import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { App } from './app/App';
import { OpeningGate } from './app/OpeningScreen';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <OpeningGate>
      <App />
    </OpeningGate>
  </StrictMode>,
);
