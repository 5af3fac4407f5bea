// Runs the exact example of docs/custom-loss.md: its first ```ts block is read from the file, compiled by
// TypeScript and evaluated with '@ccl/losses' and '@tensorflow/tfjs-core' resolved to this package's modules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import * as tf from '@tensorflow/tfjs-core';
import * as losses from '@ccl/losses';

const DOC = path.resolve(__dirname, '../../../docs/custom-loss.md');

function firstTsBlock(markdown: string): string {
  const match = /```ts\n([\s\S]*?)```/.exec(markdown);
  if (!match) throw new Error(`${DOC}: no \`\`\`ts block`);
  return match[1];
}

describe('docs/custom-loss.md', () => {
  const source = firstTsBlock(fs.readFileSync(DOC, 'utf8'));

  it('is a complete example in under 20 lines that imports from @ccl/losses', () => {
    const lines = source.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(20);
    expect(source).toMatch(/from '@ccl\/losses'/);
    expect(source).toMatch(/registerLoss\('cosine'/);
  });

  it('type-checks under the strict compiler options of the project', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.resolve(__dirname, '../tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (!parsed) throw new Error('could not read packages/losses/tsconfig.json');
    const example = path.resolve(__dirname, '__custom-loss-example__.ts'); // in memory only
    const options = { ...parsed.options, noEmit: true, noUnusedLocals: false };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language, ...rest) =>
      path.resolve(file) === example ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (file) => path.resolve(file) === example || fileExists(file);
    const program = ts.createProgram([example], options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it('registers a working loss from outside the package', () => {
    const js = ts.transpileModule(`${source}\nexport { loss };\n`, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const modules: Record<string, unknown> = { '@ccl/losses': losses, '@tensorflow/tfjs-core': tf };
    const fakeRequire = (name: string): unknown => {
      if (!(name in modules)) throw new Error(`the example imports '${name}', which it should not need`);
      return modules[name];
    };
    const exports: { loss?: losses.Loss } = {};
    new Function('require', 'exports', js)(fakeRequire, exports);

    expect(losses.listLosses()).toContain('cosine');
    const loss = exports.loss as losses.Loss;
    expect(loss.name).toBe('cosine');

    // w * mean_i (1 - cos(s_i, t_i)) with w = 2, by hand
    const s = [
      [1, 0],
      [1, 1],
    ];
    const t = [
      [0, 1],
      [2, 2],
    ];
    const expected = (2 * (1 - 0 + (1 - 1))) / 2;
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(s);
    const b = tf.tensor2d(t);
    const value = loss.compute({ student: a, teacher: b });
    expect(value.dataSync()[0]).toBeCloseTo(expected, 6);
    value.dispose();
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // and it is differentiable like any built-in loss
    const grad = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => loss.compute({ student: x, teacher: tf.tensor2d(t) }))(tf.tensor2d(s))
          .arraySync() as number[][],
    );
    expect(grad[0][1]).toBeLessThan(0); // moving s_0 toward t_0 = (0, 1) lowers the loss
    loss.dispose();
  });
});
