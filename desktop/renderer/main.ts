/**
 * Renderer entry: picks the transport (Electron preload bridge or browser-mode HTTP), loads every view
 * module under views/ (each registers itself, see shell/views.ts) and starts the shell.
 */
import './shell/styles.css';
import { createApiClient } from './shell/api-client.ts';
import { startShell } from './shell/app.ts';
import { describeError } from './shell/errors.ts';

// Every views/<id>/index.ts registers its view when loaded; new folders need no change here.
import.meta.glob('./views/*/index.ts', { eager: true });

const root = document.getElementById('app');
if (root) {
  startShell(root, createApiClient()).catch((err) => {
    root.textContent = '';
    const box = document.createElement('pre');
    box.className = 'fatal';
    box.textContent = `Pinpoint could not start: ${describeError(err)}`;
    root.append(box);
  });
}
