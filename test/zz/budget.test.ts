import { historyBudget, settingsSchema, maxRollbackWindowMinutes } from '../../lambdas/shared/settings';
const raw = (patch: Record<string, unknown>) => ({
      applicationName: 'webapp',
      groups: { blue: 'webapp-blue', green: 'webapp-green' },
      targetGroups: {
        main: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-main/0123456789abcdef',
        synthetic:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-synthetic/fedcba9876543210',
      },
      amiSelector: { tag: { key: 'Application', value: 'webapp' } },
      syntheticChecks: { endpoint: 'http://alb.example.com', checks: [{ path: '/health' }] },
      monitoring: { alarmNames: ['webapp-5xx'] },
      ...patch,
    });
test('budget', () => {
  for (const shift of [{}, { mode: 'canary' }, { mode: 'linear' }, { mode: 'linear', linearStepPercent: 10 }, { mode: 'linear', linearStepPercent: 5 , bakeMinutes: 1}]) {
    const s = settingsSchema.safeParse(raw({ shift }));
    const forced = settingsSchema.parse(raw({}));
    console.log(JSON.stringify(shift), s.success, s.success ? [historyBudget(s.data), maxRollbackWindowMinutes(s.data)] : s.error.issues.map(i=>i.message));
    void forced;
  }
  console.log(settingsSchema.parse(raw({})).waits);
});
