/**
 * Background jobs: long work (notebook runs, training, verification) runs as a job with progress and
 * cancel; every state change is pushed as a 'job' event so the status bar can show it.
 */
import type { JobInfo, ServerEvent } from '../../shared/api.ts';
import type { JobControl, JobRunner } from './context.ts';

/** Finished jobs kept for `list()` (older ones are dropped). */
const KEEP_FINISHED = 50;

export function createJobRunner(emit: (event: ServerEvent) => void): JobRunner {
  const jobs = new Map<string, { info: JobInfo; abort: AbortController; done: Promise<void> }>();
  let counter = 0;

  const publish = (info: JobInfo) => emit({ type: 'job', job: { ...info } });

  const prune = () => {
    const finished = [...jobs.values()].filter((j) => j.info.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) jobs.delete(j.info.id);
  };

  return {
    start(kind, title, work) {
      counter += 1;
      const info: JobInfo = { id: `job-${counter}`, kind, title, state: 'running', startedAt: Date.now() };
      const abort = new AbortController();
      let lastProgress = 0;
      const control: JobControl = {
        signal: abort.signal,
        progress(done, total, label) {
          if (info.state !== 'running') return;
          info.progress = { done, total, ...(label ? { label } : {}) };
          // Throttle progress events (the final one always goes out with the end state).
          const now = Date.now();
          if (now - lastProgress >= 50 || done >= total) {
            lastProgress = now;
            publish(info);
          }
        },
      };
      const done = (async () => {
        // Start after start() has returned, so the work may refer to the job it belongs to.
        await null;
        try {
          await work(control);
          if (info.state === 'running') info.state = abort.signal.aborted ? 'cancelled' : 'done';
        } catch (err) {
          if (info.state === 'running') {
            info.state = abort.signal.aborted ? 'cancelled' : 'failed';
            if (info.state === 'failed') info.error = err instanceof Error ? err.message : String(err);
          }
        }
        info.endedAt = Date.now();
        publish(info);
        prune();
      })();
      jobs.set(info.id, { info, abort, done });
      publish(info);
      return { ...info };
    },
    get(id) {
      const j = jobs.get(id);
      return j ? { ...j.info } : undefined;
    },
    list() {
      return [...jobs.values()].map((j) => ({ ...j.info }));
    },
    cancel(id) {
      const j = jobs.get(id);
      if (!j) return null;
      if (j.info.state === 'running') {
        // Mark at once so the UI reacts immediately; the work sees the aborted signal and stops.
        j.info.state = 'cancelled';
        j.abort.abort(new Error('cancelled by the user'));
        publish(j.info);
      }
      return { ...j.info };
    },
    async wait(id, timeoutMs = 60_000) {
      const j = jobs.get(id);
      if (!j) throw new Error(`no job "${id}"`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([j.done, timeout]);
      clearTimeout(timer);
      return { ...j.info };
    },
  };
}
