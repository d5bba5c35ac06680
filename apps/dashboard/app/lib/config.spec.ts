import { sessionSecret } from './config';

// The session secret from the environment: the examples' placeholder is refused by name, a real
// one is used as given.

describe('ROUTESCOPE_DASHBOARD_SESSION_SECRET', () => {
  const saved = process.env.ROUTESCOPE_DASHBOARD_SESSION_SECRET;
  afterEach(() => {
    if (saved === undefined) delete process.env.ROUTESCOPE_DASHBOARD_SESSION_SECRET;
    else process.env.ROUTESCOPE_DASHBOARD_SESSION_SECRET = saved;
  });

  it('refuses the placeholder of .env.example and the Secret example, naming the variable', () => {
    process.env.ROUTESCOPE_DASHBOARD_SESSION_SECRET = 'CHANGE-ME-dashboard-session-secret-placeholder';
    expect(() => sessionSecret()).toThrow(/The dashboard is misconfigured\. ROUTESCOPE_DASHBOARD_SESSION_SECRET is a placeholder/);
  });

  it('uses a generated secret as given', () => {
    process.env.ROUTESCOPE_DASHBOARD_SESSION_SECRET = 'q3V9zX1m8Kp2Lr7Ts5Wy0Bn4Cd6Fg8Hj';
    expect(sessionSecret()).toBe('q3V9zX1m8Kp2Lr7Ts5Wy0Bn4Cd6Fg8Hj');
  });
});
