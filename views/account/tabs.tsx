/** @module The Account area's five tabs. */
import { Tabs } from '../components/ui'

export const ACCOUNT_TABS = [
  { href: '/account', label: 'Details' },
  { href: '/account/usage', label: 'Usage' },
  { href: '/account/api', label: 'API' },
  { href: '/account/webhooks', label: 'Webhooks' },
  { href: '/account/integrations', label: 'Integrations' },
]

export const AccountTabs = ({ current }: { current: string }) => <Tabs tabs={ACCOUNT_TABS} current={current} />
