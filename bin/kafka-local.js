#!/usr/bin/env node
// Runs kafka-local/cli.ts through tsx (no build step): node bin/kafka-local.js start|stop|status [--port N]
import { register } from 'tsx/esm/api';

register();
await import('../kafka-local/cli.ts');
