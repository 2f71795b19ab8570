#!/usr/bin/env node
/** Entry point of `npx confidentialize` (the command itself: confidentialize-command.ts). */
import { confidentializeMain } from './confidentialize-command';

confidentializeMain();
