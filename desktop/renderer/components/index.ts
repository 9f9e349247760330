/** The reusable view components (d3) and their pure models. */
export * from './compare.ts';
export * from './flow-diagram.ts';
export * from './format.ts';
export * from './graph-canvas.ts';
export * from './graph-layout.ts';
export * from './ledger-model.ts';
export * from './line-chart.ts';
export * from './outputs.ts';
export * from './stats.ts';
export * from './styles.ts';
export * from './tensor-inspector.ts';
export * from './transcript-model.ts';
export * from './transcript-player.ts';
