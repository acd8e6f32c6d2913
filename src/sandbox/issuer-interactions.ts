import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider/lib/provider.js';
import { sendHtml } from '../server/respond.js';
import { errorPage, loginPage, pageHeaders, type LoginPageInput } from './issuer-pages.js';

/**
 * The sandbox's own interactions (oidc-provider's `interactions.url`), instead of its devInteractions, which accept
 * any name and no password. Routes, all under /interaction/<uid>:
 * - GET: the provider sent the browser here with a prompt. `login`: the sign-in form. `consent`: granted at once
 *   — every client of the sandbox is first-party — with exactly what the prompt says is missing (OIDC scopes and
 *   claims, the resource's scopes), then back to the provider.
 * - POST: the sign-in form. Right credentials: the login is finished (`interactionFinished`) and the browser goes
 *   on to the consent step; wrong ones: the form again, 401.
 * - POST …/abort: the user cancelled — the client gets `error=access_denied`.
 * The interaction itself is found from its cookie (`interactionDetails`), which the provider set for this path
 * only, SameSite=Lax: a form posted from another site arrives without it and is refused.
 */

export interface TestUser {
  username: string;
  password: string;
}

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/abort)?$/;
/** A sign-in form is two short fields; anything bigger is not one. */
const MAX_FORM_BYTES = 8 * 1024;

interface Interaction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}

/** Returns a handler that answers the interaction routes (true) and leaves every other request alone (false). */
export function interactionRoutes(
  provider: Provider,
  user: TestUser,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const match = ROUTE.exec(path);
    if (!match) return false;
    const abort = match[2] !== undefined;
    const method = req.method ?? 'GET';
    const allowed = abort ? ['POST'] : ['GET', 'POST'];
    if (!allowed.includes(method)) {
      req.resume();
      sendHtml(res, 405, errorPage({ title: 'Method not allowed' }), {
        ...pageHeaders(),
        allow: allowed.join(', '),
      });
      return true;
    }

    let interaction: Interaction;
    try {
      interaction = (await provider.interactionDetails(req, res)) as Interaction;
    } catch (err) {
      req.resume();
      if (!isProviderError(err)) throw err;
      // SessionNotFound: no cookie (another browser, or a cross-site post), or the interaction expired.
      sendHtml(
        res,
        400,
        errorPage({
          title: 'This sign-in has expired',
          description:
            'The sign-in request is unknown to this browser or has expired. Start the login again.',
        }),
        pageHeaders(),
      );
      return true;
    }

    if (abort) {
      req.resume();
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    if (interaction.prompt.name === 'consent') {
      req.resume();
      await grantConsent(provider, interaction, req, res);
      return true;
    }
    if (interaction.prompt.name !== 'login') {
      req.resume();
      sendHtml(
        res,
        400,
        errorPage({
          title: 'Unexpected step',
          description: `The sandbox has no "${interaction.prompt.name}" step.`,
        }),
        pageHeaders(),
      );
      return true;
    }

    const page = await pageInput(provider, interaction, user, path);
    if (method === 'GET') {
      sendHtml(res, 200, loginPage(page.input), page.headers);
      return true;
    }
    const form = await readForm(req);
    if (form === undefined) {
      sendHtml(res, 413, errorPage({ title: 'Form too large' }), { ...pageHeaders(), connection: 'close' });
      return true;
    }
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    // Both compared, always, in constant time: the answer does not tell which one was wrong, nor how much of it.
    const nameOk = sameText(username, user.username);
    const passwordOk = sameText(password, user.password);
    if (!(nameOk && passwordOk)) {
      sendHtml(res, 401, loginPage({ ...page.input, username, failed: true }), page.headers);
      return true;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.username } },
      { mergeWithLastSubmission: false },
    );
    return true;
  };
}

/**
 * Consent for a first-party client: a Grant with what the prompt reports missing, saved, then the interaction
 * finished with it (the flow the provider's documentation describes for an interaction that skips the page).
 */
async function grantConsent(
  provider: Provider,
  interaction: Interaction,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({
        accountId: interaction.session?.accountId,
        clientId: interaction.params.client_id,
      });
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = (await grant.save()) as string;
  await provider.interactionFinished(
    req,
    res,
    { consent: interaction.grantId ? {} : { grantId } },
    { mergeWithLastSubmission: true },
  );
}

async function pageInput(
  provider: Provider,
  interaction: Interaction,
  user: TestUser,
  path: string,
): Promise<{ input: LoginPageInput; headers: Record<string, string> }> {
  const params = interaction.params;
  const clientId = typeof params.client_id === 'string' ? params.client_id : '';
  const client = (await provider.Client.find(clientId)) as { clientName?: string } | undefined;
  const scopes = typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [];
  const resource = params.resource;
  const resources = (Array.isArray(resource) ? resource : [resource]).filter(
    (r): r is string => typeof r === 'string',
  );
  return {
    input: {
      action: path,
      abortAction: `${path}/abort`,
      client: { id: clientId, name: client?.clientName },
      scopes,
      resources,
      testUser: user,
    },
    headers: pageHeaders(callbackOrigin(params.redirect_uri)),
  };
}

/** The origin the login ends at (the client's registered loopback redirect URI, validated by the provider). */
function callbackOrigin(redirectUri: unknown): string[] {
  if (typeof redirectUri !== 'string' || !URL.canParse(redirectUri)) return [];
  const url = new URL(redirectUri);
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost')
    ? [url.origin]
    : [];
}

/** The form's fields, or undefined when the body is larger than a sign-in form can be. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sameText(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** oidc-provider's errors (SessionNotFound and the like) carry the HTTP status they mean and are meant to be shown. */
function isProviderError(err: unknown): boolean {
  const e = err as { statusCode?: unknown; expose?: unknown } | null;
  return typeof e?.statusCode === 'number' && e.statusCode < 500 && e.expose === true;
}
