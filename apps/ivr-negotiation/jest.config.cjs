// jose (through libs/auth) is ESM-only: let SWC turn it into CommonJS for Jest.
module.exports = {
  ...require('../../jest.preset.cjs')(__dirname, 'ivr-negotiation'),
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
