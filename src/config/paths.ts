import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where profiles and tokens live: $APIKIT_CONFIG_DIR, else the platform's per-user config directory
 * ($XDG_CONFIG_HOME/apikit or ~/.config/apikit; ~/Library/Preferences/apikit; %APPDATA%\apikit).
 */
export function configDir(env: Record<string, string | undefined>, platform: NodeJS.Platform): string {
  if (env.APIKIT_CONFIG_DIR) return env.APIKIT_CONFIG_DIR;
  const home = env.HOME || homedir();
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'apikit');
  if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'apikit');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'apikit');
}
