import { useMe } from '@/features/auth/api';
import { SettingsPage } from '@/features/settings/components/SettingsPage';
import { useWorkbenchStore } from '@/features/workbench/store';
import { TopBar } from '../TopBar';

export default function SettingsRoute() {
  const me = useMe();
  const theme = useWorkbenchStore((s) => s.theme);
  const setTheme = useWorkbenchStore((s) => s.setTheme);
  return (
    <div className="page">
      <TopBar title="Settings" />
      <SettingsPage isAdmin={me.data?.role === 'admin'} theme={theme} onTheme={setTheme} />
    </div>
  );
}
