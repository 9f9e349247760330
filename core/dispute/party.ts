/**
 * A party that answers every question truthfully from its own run (honest, or a cheater who deviated
 * while training but answers consistently with what it committed — the usual case; core/attacks wraps it
 * for cheaters who also lie in the dispute).
 */
import { tensorDigest } from '../hash/digest.ts';
import type { PartyTrace } from './execute.ts';
import { SubtreeHasher } from './merkle-descent.ts';
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
} from './types.ts';

export class TraceParty implements DisputeParty {
  readonly name: string;
  readonly trace: PartyTrace;
  private hasher: { step: number; h: SubtreeHasher } | null = null;
  private runTree: SubtreeHasher | null = null;

  constructor(name: string, trace: PartyTrace) {
    this.name = name;
    this.trace = trace;
  }

  private opTree(step: number): SubtreeHasher {
    if (this.hasher?.step !== step)
      this.hasher = { step, h: new SubtreeHasher(this.trace.step(step).digests) };
    return this.hasher.h;
  }

  async claim(): Promise<RunClaim> {
    return { runRoot: this.trace.root, steps: this.trace.steps };
  }

  private recordTree(): SubtreeHasher {
    this.runTree ??= new SubtreeHasher(this.trace.recordDigests);
    return this.runTree;
  }

  async runChildren(lo: number, hi: number): Promise<NodeChildren> {
    return this.recordTree().children(lo, hi);
  }

  async openStep(step: number): Promise<StepOpening> {
    return { record: this.trace.records[step], proof: this.recordTree().proof(step) };
  }

  async commitOps(step: number): Promise<OpRootClaim> {
    const tree = this.opTree(step);
    return { root: tree.root(), count: tree.count };
  }

  async children(step: number, lo: number, hi: number): Promise<NodeChildren> {
    return this.opTree(step).children(lo, hi);
  }

  async openOp(step: number, index: number): Promise<OpOpening> {
    return { digest: this.trace.step(step).digests[index], proof: this.opTree(step).proof(index) };
  }

  async revealInputs(step: number, index: number): Promise<InputReveal[]> {
    const ex = this.trace.step(step);
    return ex.graph.nodes[index].inputs.map((j) => ({
      index: j,
      tensor: ex.outputs[j],
      proof: this.opTree(step).proof(j),
    }));
  }

  async openStateBefore(step: number, slot: number): Promise<StateOpening> {
    const scheme = this.trace.task.scheme;
    const digests = this.trace.stateBefore(step).map((t) => tensorDigest(t, scheme));
    return { slot, digest: digests[slot], proof: new SubtreeHasher(digests).proof(slot) };
  }

  async sealState(step: number): Promise<SealOpening> {
    const ex = this.trace.step(step);
    return {
      digests: ex.stateAfterDigests,
      proofs: ex.graph.slots.map((s) => this.opTree(step).proof(s.out)),
    };
  }
}
