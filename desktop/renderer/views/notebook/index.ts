/** Registers the Notebook view (see shell/views.ts). */
import { icons } from '../../shell/icons.ts';
import { registerView } from '../../shell/views.ts';
import './notebook.css';
import { mountNotebook } from './view.ts';

registerView({ id: 'notebook', title: 'Notebook', order: 10, icon: icons.notebook, mount: mountNotebook });
