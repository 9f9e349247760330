/**
 * What one JavaScript engine computes for `pinpoint certify` (docs/REPOPS.md "Determinism certificate"):
 * every golden op vector (core/repops/golden) and a few training steps of each task, reduced to digests.
 * Pure core with no host APIs, so the very same bundle runs in Node, Node --jitless, Chromium and QuickJS;
 * engines then agree bit for bit or the digests say where they do not.
 */
import { digestJson, tensorDigest } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { GOLDEN_SCHEME, OP_CASES, runOpCase, STEP_CASES, tapeDigest } from '../repops/golden/cases.ts';
import { REPOPS_SPEC_VERSION } from '../repops/version.ts';
import { setCorpusLoader } from '../train/corpus.ts';
import { runCommitment, stepDigest } from '../train/record.ts';
import type { TrainContext } from '../train/step.ts';
import type { TaskSpec } from '../train/task.ts';
import { prepareTask, type TrainResult, train } from '../train/train.ts';

export interface CertifyRequest {
  /** Tasks to train, each for `steps` steps (fast mode). */
  readonly tasks: readonly TaskSpec[];
  readonly steps: number;
  /** Corpus texts by name, for engines that cannot read data/ (the browser, QuickJS). */
  readonly corpora?: Readonly<Record<string, string>>;
  /** Testing the certificate itself: flip the lowest bit of one element of one op vector's output. */
  readonly perturb?: { readonly vector: string; readonly element: number };
  /** Also return the raw output bits of these op vectors (to locate a difference element by element). */
  readonly detail?: readonly string[];
}

export interface EngineResult {
  readonly repops: string;
  /** Task name → run root (run commitment, as in a proof bundle) after `steps` steps. */
  readonly runRoots: Record<string, Digest>;
  /** Task name → step-record digests (to name the first step where two engines part). */
  readonly stepDigests: Record<string, Digest[]>;
  /** Golden vector name → digest of its output (ops) or of its whole tape (training-step vectors). */
  readonly vectors: Record<string, Digest>;
  /** One digest over every vector. */
  readonly vectorDigest: Digest;
  /** Vector name → output as uint32 words (only those asked for in `detail`). */
  readonly detail: Record<string, number[]>;
  readonly ms: number;
  /** The native addon's vector level (avx512, avx2, c) when the engine installed its kernels. */
  readonly native?: string;
  /** Task name → threads that recorded its micro-batches, for tasks an engine trained on more than one. */
  readonly microBatchThreads?: Record<string, number>;
}

/** How an engine trains a task (default: `train` in fast mode, on the calling thread). */
export type CertifyTrainer = (ctx: TrainContext) => TrainResult;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function runCertify(
  req: CertifyRequest,
  trainer: CertifyTrainer = (ctx) => train(ctx, { mode: 'fast' }),
): EngineResult {
  const t0 = now();
  if (req.corpora) {
    const texts = req.corpora;
    setCorpusLoader((name) => {
      const text = texts[name];
      if (text === undefined) throw new Error(`corpus "${name}" was not passed to this engine`);
      return text;
    });
  }
  const vectors: Record<string, Digest> = {};
  const detail: Record<string, number[]> = {};
  const wanted = new Set(req.detail ?? []);
  for (const k of OP_CASES) {
    const out = runOpCase(k);
    if (req.perturb?.vector === k.name && out.data.length > req.perturb.element) {
      const words = new Uint32Array(out.data.buffer, out.data.byteOffset, out.data.length);
      words[req.perturb.element] ^= 1;
    }
    vectors[k.name] = tensorDigest(out, GOLDEN_SCHEME);
    if (wanted.has(k.name))
      detail[k.name] = Array.from(new Uint32Array(out.data.buffer, out.data.byteOffset, out.data.length));
  }
  for (const s of STEP_CASES) vectors[s.name] = tapeDigest(s.build());
  const runRoots: Record<string, Digest> = {};
  const stepDigests: Record<string, Digest[]> = {};
  for (const task of req.tasks) {
    const short: TaskSpec = { ...task, steps: req.steps, checkpointEvery: req.steps };
    const { fullCheckpointEvery: _f, ...rest } = short;
    const run = trainer(prepareTask(rest as TaskSpec));
    const digests = run.records.map(stepDigest);
    stepDigests[task.name] = digests;
    runRoots[task.name] = runCommitment(run.records);
  }
  return {
    repops: REPOPS_SPEC_VERSION,
    runRoots,
    stepDigests,
    vectors,
    vectorDigest: digestJson('pinpoint.certify.vectors.v1', vectors),
    detail,
    ms: now() - t0,
  };
}
