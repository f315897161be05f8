import { beforeAll, describe, expect, it, vi } from 'vitest'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { expectPage, expectShape } from '../helpers/schema'
import { TaskView } from '../../src/modules/tasks/schemas'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

describe('Tasks menu, page and task access', () => {
  it("shows the person's own tasks with progress, results and error downloads; others get 404", async () => {
    const admin = { cookie: orgs.orgA.ADMIN.cookie }
    const d = await json(await call('POST', '/api/v1/datasets', admin, { json: { name: unique('t') } }))
    const task = await json(
      await call('POST', `/api/v1/datasets/${d.id}/imports?filename=rows.ndjson`, admin, {
        body: '{"row_data":"a"}\n{"row_data":"ftp://x/y"}\n',
        headers: { 'Content-Type': 'application/x-ndjson' },
      }),
    )
    expect(task.name).toContain('rows.ndjson')
    expectShape(TaskView, task)
    // While running, the shell's badge lists it for live tracking.
    const page = await (await call('GET', '/projects', admin)).text()
    expect(page).toMatch(/data-running="[^"]*tsk_/)
    await vi.waitFor(async () => expect((await json(await call('GET', `/api/v1/tasks/${task.id}`, admin))).status).toBe('COMPLETE'), {
      timeout: 30_000,
      interval: 200,
    })
    expectShape(TaskView, await json(await call('GET', `/api/v1/tasks/${task.id}`, admin)))
    expect(expectPage(TaskView, await json(await call('GET', '/api/v1/tasks', admin))).items.length).toBeGreaterThan(0)
    const menu = await (await call('GET', '/tasks/menu', admin, { htmx: true })).text()
    expect(menu).toContain(`data-task-id="${task.id}"`)
    expect(menu).toContain('1 created · 1 with errors')
    expect(menu).toContain(`/api/v1/tasks/${task.id}/errors?format=csv`)
    const full = await (await call('GET', '/tasks', admin)).text()
    expect(full).toContain(task.name.replace(/“|”/g, (m: string) => m))
    // The list API shows only the caller's tasks; another admin of the org may open it; others may not.
    expect((await json(await call('GET', '/api/v1/tasks', { cookie: orgs.orgA.LABELER.cookie }))).items).toEqual([])
    expect((await call('GET', `/api/v1/tasks/${task.id}`, { cookie: orgs.orgA.LABELER.cookie })).status).toBe(404)
    expect((await call('GET', `/api/v1/tasks/${task.id}/errors`, { cookie: orgs.orgA.TEAM_MANAGER.cookie })).status).toBe(404)
    expect((await call('GET', `/api/v1/tasks/${task.id}`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    // Result with Range, and its metadata.
    const part = await call('GET', `/api/v1/tasks/${task.id}/result`, admin, { headers: { Range: 'bytes=0-0' } })
    expect(part.status).toBe(206)
    expect(await part.text()).toBe('{')
  })

  it('a task that is not finished answers 409 for its result', async () => {
    const admin = { cookie: orgs.orgA.ADMIN.cookie }
    const d = await json(await call('POST', '/api/v1/datasets', admin, { json: { name: unique('t') } }))
    const task = await json(
      await call('POST', `/api/v1/datasets/${d.id}/imports`, admin, {
        body: '{"row_data":"a"}\n',
        headers: { 'Content-Type': 'application/x-ndjson' },
      }),
    )
    const res = await call('GET', `/api/v1/tasks/${task.id}/result`, admin)
    if (res.status === 409) expect((await json(res)).detail).toBe('Task is not ready yet')
    else expect(res.status).toBe(200) // the queue was quicker than this request
  })

  it('streams live progress as Server-Sent Events', async () => {
    const admin = { cookie: orgs.orgA.ADMIN.cookie }
    const d = await json(await call('POST', '/api/v1/datasets', admin, { json: { name: unique('t') } }))
    const task = await json(
      await call('POST', `/api/v1/datasets/${d.id}/imports`, admin, {
        body: '{"row_data":"a"}\n',
        headers: { 'Content-Type': 'application/x-ndjson' },
      }),
    )
    const res = await call('GET', `/api/v1/tasks/${task.id}/events`, admin)
    expect(res.headers.get('Content-Type')).toBe('text/event-stream')
    expect(res.headers.get('X-Request-Id')).toBeTruthy()
    const reader = res.body!.getReader()
    let text = ''
    while (!text.includes('"COMPLETE"')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    expect(text).toContain('event: progress')
    expect(text).toContain('"status":"COMPLETE"')
  })
})
