// oidc-provider ships no type declarations; the tests only need a loose shape.
declare module 'oidc-provider' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Loose = any;
  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
    on(event: string, listener: (...args: Loose[]) => void): this;
    proxy: boolean;
    issuer: string;
    Grant: Loose;
    AccessToken: Loose;
    RefreshToken: Loose;
    Client: Loose;
    [key: string]: Loose;
  }
  export const errors: Record<string, Loose>;
}
