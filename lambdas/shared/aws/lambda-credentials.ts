import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The credentials of every SDK client in a shipped step: the execution role's, from the environment variables
 * Lambda sets (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
 * docs/aws-facts/lambda-runtime.md#credentials). The SDK's default chain looks there first, and in Lambda
 * never further; its other links (profiles, SSO, web identity, process, instance metadata) bring the STS, SSO
 * and sign-in clients, about 140 KB and 20 ms of every cold start. infra/bundling.ts puts this module in
 * place of the default chain (`@aws-sdk/credential-provider-node`) in the shipped bundles only; the
 * simulation and the tests keep the SDK as installed.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
