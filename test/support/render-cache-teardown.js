'use strict';
module.exports = require('./render-cache-setup').teardown;
