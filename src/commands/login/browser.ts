import type { Context } from '../../context.js';

/**
 * Whether to open the user's browser: never with --no-browser, never when stdin or stdout is not a terminal
 * (a script, a pipe, CI), and never without a display (SSH sessions, containers). The URL is printed anyway.
 */
export function shouldOpenBrowser(ctx: Context, wanted: boolean): boolean {
  const platform = ctx.platform;
  if (!wanted) return false;
  if (!ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  // X11 / Wayland; on an SSH session without forwarding neither is set.
  return Boolean(ctx.env.DISPLAY || ctx.env.WAYLAND_DISPLAY);
}
