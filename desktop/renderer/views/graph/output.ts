/** The notebook 'graph' output drawn with the graph canvas (see components/outputs.ts). */
export { renderGraphOutput } from '../../components/outputs.ts';
