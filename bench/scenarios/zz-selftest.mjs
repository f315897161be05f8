export default { name: 'zz-selftest', description: 'temp', async setup(ctx) { ctx.seeded = true },
  routes: [{ path: '/', expectStatus: 303, allowNon2xx: true }, { path: '/nope-404', expectStatus: 404 }],
  async run(ctx) { return [{ exportSeconds: 1.5, seeded: ctx.seeded }] } }
