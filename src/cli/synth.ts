/** Entry point of `npm run synth` (the command itself: synth-command.ts). */
import { synthMain } from './synth-command';

synthMain();
