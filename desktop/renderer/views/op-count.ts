/** The op-count element every view shows (desktop/shared/op-count.ts: one definition, one wording). */
import {
  countOps,
  formatOpCount,
  formatRecordedOpCount,
  OP_COUNT_DEFINITION,
} from '../../shared/op-count.ts';
import { h } from './common.ts';

/** `<span data-testid="op-count">` with the definition as tooltip and in its accessible description. */
export function opCountEl(from: readonly { phase: string }[] | number): HTMLElement {
  const text = typeof from === 'number' ? formatRecordedOpCount(from) : formatOpCount(countOps(from));
  const total = typeof from === 'number' ? from : from.length;
  return h(
    'span',
    {
      class: 'pp-opcount',
      'data-testid': 'op-count',
      'data-total': total,
      title: OP_COUNT_DEFINITION,
      'aria-description': OP_COUNT_DEFINITION,
      style: 'text-decoration:underline dotted;cursor:help',
    },
    text,
  );
}
