// oidc-provider ships no type declarations. The sandbox imports two of its modules directly (see ./issuer.ts for
// why not the package's main entry) and needs only this much of their shape.
// (test/helpers/oidc-provider-module.d.ts declares the main entry, 'oidc-provider', for the tests' fixture.)
declare module 'oidc-provider/lib/provider.js' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Loose = any;

  export class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: Loose, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: Loose[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Loose>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    issuer: string;
    Grant: Loose;
    Client: Loose;
    [key: string]: Loose;
  }
}

declare module 'oidc-provider/lib/helpers/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const InvalidTarget: new (description?: string) => Error & Record<string, any>;
}
