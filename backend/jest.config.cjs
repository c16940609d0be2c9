// CommonJS backend; swc compiles TypeScript (with decorator metadata) and down-levels the ESM-only
// packages that Nest 12 and others load. The allowlist is computed from node_modules so that a
// newly added ESM-only dependency cannot be missed silently (see shared/notes/js-stack-node24.md).
const fs = require('node:fs');
const path = require('node:path');

function esmPackages() {
  const names = new Set();
  for (const dir of [path.join(__dirname, 'node_modules'), path.join(__dirname, '..', 'node_modules')]) {
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir)) {
      const scoped = entry.startsWith('@');
      const pkgs = scoped ? fs.readdirSync(path.join(dir, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of pkgs) {
        try {
          const pj = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8'));
          if (pj.type === 'module') names.add(scoped ? entry : name);
        } catch {}
      }
    }
  }
  return [...names].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

const swcTs = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];
const swcJs = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript', importAttributes: true }, target: 'es2023' }, module: { type: 'commonjs' } },
];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swcTs, '^.+\\.m?js$': swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages().join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  workerIdleMemoryLimit: '400MB',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int-spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
      testTimeout: 60000,
    },
  ],
};
