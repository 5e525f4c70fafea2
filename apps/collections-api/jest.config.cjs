// jose is ESM-only: let SWC turn it into CommonJS for Jest (Node itself loads it with require(esm)).
module.exports = {
  ...require('../../jest.preset.cjs')(__dirname, 'collections-api'),
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
