/** Regenerates test/fixtures/onnx/*.onnx from core/onnx/fixtures.ts (the test checks they are current). */
import { writeFileSync } from 'node:fs';
import { FIXTURES } from '../core/onnx/fixtures.ts';
import { writeOnnx } from '../core/onnx/write.ts';

for (const [name, build] of Object.entries(FIXTURES)) {
  const bytes = writeOnnx(build());
  writeFileSync(`test/fixtures/onnx/${name}.onnx`, bytes);
  console.log(`test/fixtures/onnx/${name}.onnx  ${bytes.length} bytes`);
}
