// Preload for test/package/exports.mjs: a host where onnxruntime-node is missing (its install script
// failed, as it does offline without ONNXRUNTIME_NODE_INSTALL=skip).
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'onnxruntime-node') throw Object.assign(new Error("Cannot find module 'onnxruntime-node'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
