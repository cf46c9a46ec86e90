import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * The authentication an HTTPS listener runs before it forwards, as DescribeListeners gives it: no
 * ClientSecret (never described) and no UseExistingClientSecret. The simulated load balancer models forward
 * actions only, so tests of a listener that authenticates first use this.
 */
export const AUTHENTICATE_OIDC: Action = {
  Type: 'authenticate-oidc',
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: 'https://idp.example.com',
    AuthorizationEndpoint: 'https://idp.example.com/authorize',
    TokenEndpoint: 'https://idp.example.com/token',
    UserInfoEndpoint: 'https://idp.example.com/userinfo',
    ClientId: 'webapp',
    SessionCookieName: 'AWSELBAuthSessionCookie',
    Scope: 'openid',
    SessionTimeout: 604800,
    OnUnauthenticatedRequest: 'authenticate',
  },
};
