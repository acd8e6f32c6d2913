import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where profiles and tokens live: $APIKIT_CONFIG_DIR, else the platform's per-user config directory
 * ($XDG_CONFIG_HOME/apikit or ~/.config/apikit; ~/Library/Preferences/apikit; %APPDATA%\apikit).
 * A relative $XDG_CONFIG_HOME is ignored: the XDG Base Directory spec says such a path is invalid, and it would
 * put tokens wherever the command happens to run.
 */
export function configDir(env: Record<string, string | undefined>, platform: NodeJS.Platform): string {
  if (env.APIKIT_CONFIG_DIR) return env.APIKIT_CONFIG_DIR;
  const home = env.HOME || homedir();
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'apikit');
  if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'apikit');
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'apikit');
}
