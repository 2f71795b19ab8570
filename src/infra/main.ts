/**
 * Entry point for the cdktf CLI (`cdktf.json` "app"): `npx cdktf synth`, `npx cdktf deploy <env>`.
 * `npm run synth` does not go through here: it calls synthTerraform directly (no CLI start-up).
 */
import { loadAllOrExit } from '../cli/load-or-exit';
import { synthTerraform } from './app';

synthTerraform(loadAllOrExit(process.cwd()));
