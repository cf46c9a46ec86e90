/** The simulated account on a fake clock, as every test uses it (test/support/account.ts). */
export * from '../../support/account';
