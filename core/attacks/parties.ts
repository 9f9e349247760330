/**
 * Parties that misbehave in the dispute itself: equivocation (answers inconsistent with their own
 * commitment), refusing to answer, and garbage answers from a party with no trace at all.
 */

import type {
  DisputeParty,
  InputReveal,
  NodeChildren,
  OpOpening,
  OpRootClaim,
  RunClaim,
  SealOpening,
  StateOpening,
  StepOpening,
} from '../dispute/types.ts';
import { digestJson } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';

/**
 * Commits to `own` but, from the given stage on, answers with `mimic`'s openings (e.g. a cheater who
 * presents the honest records to look like it agrees): its answers no longer verify against its root.
 */
export class EquivocatingParty implements DisputeParty {
  readonly name: string;
  constructor(
    name: string,
    private readonly own: DisputeParty,
    private readonly mimic: DisputeParty,
    private readonly from: 'steps' | 'ops',
  ) {
    this.name = name;
  }
  claim(): Promise<RunClaim> {
    return this.own.claim();
  }
  runChildren(lo: number, hi: number): Promise<NodeChildren> {
    return this.from === 'steps' ? this.mimic.runChildren(lo, hi) : this.own.runChildren(lo, hi);
  }
  openStep(step: number): Promise<StepOpening> {
    return this.from === 'steps' ? this.mimic.openStep(step) : this.own.openStep(step);
  }
  commitOps(step: number): Promise<OpRootClaim> {
    return this.own.commitOps(step);
  }
  children(step: number, lo: number, hi: number): Promise<NodeChildren> {
    return this.mimic.children(step, lo, hi);
  }
  openOp(step: number, index: number): Promise<OpOpening> {
    return this.mimic.openOp(step, index);
  }
  revealInputs(step: number, index: number): Promise<InputReveal[]> {
    return this.mimic.revealInputs(step, index);
  }
  openStateBefore(step: number, slot: number): Promise<StateOpening> {
    return this.mimic.openStateBefore(step, slot);
  }
  sealState(step: number): Promise<SealOpening> {
    return this.mimic.sealState(step);
  }
}

/** Answers the first `answers` questions like `inner`, then never answers again (the deadline decides). */
export class RefusingParty implements DisputeParty {
  readonly name: string;
  private left: number;
  constructor(
    name: string,
    private readonly inner: DisputeParty,
    answers: number,
  ) {
    this.name = name;
    this.left = answers;
  }
  private gate<T>(f: () => Promise<T>): Promise<T> {
    if (this.left <= 0) return new Promise<T>(() => {});
    this.left--;
    return f();
  }
  claim(): Promise<RunClaim> {
    return this.gate(() => this.inner.claim());
  }
  runChildren(lo: number, hi: number): Promise<NodeChildren> {
    return this.gate(() => this.inner.runChildren(lo, hi));
  }
  openStep(step: number): Promise<StepOpening> {
    return this.gate(() => this.inner.openStep(step));
  }
  commitOps(step: number): Promise<OpRootClaim> {
    return this.gate(() => this.inner.commitOps(step));
  }
  children(step: number, lo: number, hi: number): Promise<NodeChildren> {
    return this.gate(() => this.inner.children(step, lo, hi));
  }
  openOp(step: number, index: number): Promise<OpOpening> {
    return this.gate(() => this.inner.openOp(step, index));
  }
  revealInputs(step: number, index: number): Promise<InputReveal[]> {
    return this.gate(() => this.inner.revealInputs(step, index));
  }
  openStateBefore(step: number, slot: number): Promise<StateOpening> {
    return this.gate(() => this.inner.openStateBefore(step, slot));
  }
  sealState(step: number): Promise<SealOpening> {
    return this.gate(() => this.inner.sealState(step));
  }
}

/** A party with no trace: well-formed but made-up answers (random digests, random proofs). */
export class GarbageParty implements DisputeParty {
  readonly name: string;
  private n = 0;
  constructor(
    name: string,
    private readonly steps: number,
    private readonly seed: number,
  ) {
    this.name = name;
  }
  private d(): Digest {
    return digestJson('pinpoint.attack.garbage', { seed: this.seed, n: this.n++ });
  }
  private proof(index: number, count: number) {
    return { index, count, siblings: [this.d(), this.d()] };
  }
  async claim(): Promise<RunClaim> {
    return { runRoot: this.d(), steps: this.steps };
  }
  async openStep(step: number): Promise<StepOpening> {
    return {
      record: {
        step,
        stateBefore: this.d(),
        stateAfter: this.d(),
        batchDigest: this.d(),
        loss: 1,
        opRoot: this.d(),
        opCount: 1,
      },
      proof: this.proof(step, this.steps),
    };
  }
  async runChildren(): Promise<NodeChildren> {
    return { left: this.d(), right: this.d() };
  }
  async commitOps(): Promise<OpRootClaim> {
    return { root: this.d(), count: 1 };
  }
  async children(): Promise<NodeChildren> {
    return { left: this.d(), right: this.d() };
  }
  async openOp(_s: number, index: number): Promise<OpOpening> {
    return { digest: this.d(), proof: this.proof(index, index + 1) };
  }
  async revealInputs(): Promise<InputReveal[]> {
    return [];
  }
  async openStateBefore(_s: number, slot: number): Promise<StateOpening> {
    return { slot, digest: this.d(), proof: this.proof(slot, slot + 1) };
  }
  async sealState(): Promise<SealOpening> {
    return { digests: [], proofs: [] };
  }
}
