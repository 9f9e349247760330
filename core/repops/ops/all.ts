/** Importing this module registers every RepOps op (side effect); core/repops/index.ts does it. */
import './binary.ts';
import './unary.ts';
import './layout.ts';
import './reductions.ts';
import './matmul.ts';
import './nn.ts';
import './optim.ts';
import './dropout.ts';
import './conv.ts';
