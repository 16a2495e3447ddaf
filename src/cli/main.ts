#!/usr/bin/env node
/** dnshunt command-line entry point (placeholder until the scan command lands). */
console.log('dnshunt');
