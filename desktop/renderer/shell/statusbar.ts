/** The status bar: mode, last message, background jobs with progress and cancel, error count. */

/** How long a status message stays (a new one, or leaving the view, replaces it sooner). */
const MESSAGE_MS = 12_000;

import type { ApiClient, JobInfo } from '../../shared/api.ts';
import { h, svgIcon } from './dom.ts';
import { errorCount, onErrorsChanged, showError, toggleErrorPanel } from './errors.ts';
import { icons } from './icons.ts';

export interface StatusBar {
  el: HTMLElement;
  message(text: string): void;
  setRight(text: string): void;
  /**
   * A task running in the page (e.g. uploading a dropped file), shown like a backend job: title,
   * progress bar and a cancel button that aborts `abort`.
   */
  transfer(title: string, abort: AbortController): Transfer;
}

export interface Transfer {
  progress(done: number, total: number): void;
  end(): void;
}

export function createStatusBar(api: ApiClient): StatusBar {
  const msg = h('span', { class: 'item grow', 'data-testid': 'status-message' });
  let msgTimer: ReturnType<typeof setTimeout> | undefined;
  const jobsEl = h('span', { class: 'item', 'data-testid': 'jobs' });
  const transfersEl = h('span', { class: 'item', 'data-testid': 'transfers' });
  const right = h('span', { class: 'item' });
  const errorsBtn = h('button', {
    class: 'errors',
    title: 'Show errors',
    'data-testid': 'errors-button',
    onclick: () => toggleErrorPanel(),
  });
  const el = h(
    'footer',
    { class: 'statusbar', role: 'status' },
    h('span', { class: 'item' }, api.mode === 'electron' ? 'Desktop' : 'Browser mode'),
    msg,
    transfersEl,
    jobsEl,
    errorsBtn,
    right,
  );
  const jobs = new Map<string, JobInfo>();
  const renderErrors = () => {
    const n = errorCount();
    errorsBtn.replaceChildren(svgIcon(icons.alert), String(n));
    errorsBtn.classList.toggle('has', n > 0);
  };
  const renderJobs = () => {
    jobsEl.replaceChildren();
    for (const job of jobs.values()) {
      if (job.state !== 'running') continue;
      const p = job.progress;
      const pct = p && p.total > 0 ? Math.round((100 * p.done) / p.total) : 0;
      jobsEl.append(
        h(
          'span',
          { class: 'job', 'data-testid': 'job', 'data-job-id': job.id },
          h('span', { class: 'spinner' }),
          h('span', {}, job.title, p?.label ? ` · ${p.label}` : ''),
          h('span', { class: `bar${p ? '' : ' indeterminate'}` }, h('i', { style: `width:${pct}%` })),
          h(
            'button',
            {
              title: `Cancel ${job.title}`,
              'aria-label': `Cancel ${job.title}`,
              'data-testid': 'job-cancel',
              onclick: () => api.call('jobs.cancel', { id: job.id }).catch((e) => showError(e, 'Cancel')),
            },
            svgIcon(icons.x),
          ),
        ),
      );
    }
  };
  api.subscribe((event) => {
    if (event.type !== 'job') return;
    jobs.set(event.job.id, event.job);
    if (event.job.state !== 'running') {
      jobs.delete(event.job.id);
      const took = event.job.endedAt
        ? ` in ${((event.job.endedAt - event.job.startedAt) / 1000).toFixed(1)} s`
        : '';
      msg.textContent = `${event.job.title}: ${event.job.state}${took}`;
      if (event.job.state === 'failed' && event.job.kind !== 'notebook')
        showError(event.job.error ?? 'failed', event.job.title);
    }
    renderJobs();
  });
  onErrorsChanged(renderErrors);
  renderErrors();
  return {
    el,
    message(text) {
      // A message describes what just happened: it fades after a while instead of going stale.
      msg.textContent = text;
      clearTimeout(msgTimer);
      if (text) msgTimer = setTimeout(() => (msg.textContent = ''), MESSAGE_MS);
    },
    setRight(text) {
      right.textContent = text;
    },
    transfer(title, abort) {
      const label = h('span', {}, title);
      const bar = h('i', { style: 'width:0%' });
      const el = h(
        'span',
        { class: 'job', 'data-testid': 'transfer', title },
        h('span', { class: 'spinner' }),
        label,
        h('span', { class: 'bar' }, bar),
        h(
          'button',
          {
            title: `Cancel ${title}`,
            'aria-label': `Cancel ${title}`,
            onclick: () => abort.abort(),
          },
          svgIcon(icons.x),
        ),
      );
      transfersEl.append(el);
      return {
        progress(done, total) {
          const pct = total > 0 ? Math.round((100 * done) / total) : 0;
          bar.style.width = `${pct}%`;
          label.textContent = `${title} · ${pct}%`;
          el.dataset.progress = String(pct);
        },
        end() {
          el.remove();
        },
      };
    },
  };
}
