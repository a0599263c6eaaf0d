import { lazy, Suspense, useEffect } from 'react';
import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { notifyError } from '@/lib/notifications';
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation, useNavigate } from 'react-router';
import { api } from '@/lib/api-client';
import { isApiError } from '@/lib/api-error';
import { useMe } from '@/features/auth/api';
import { LoginRoute, SetupRoute } from './routes/EntryRoutes';
import { ProjectsRoute } from './routes/ProjectsRoute';
import { AgentFeed } from './AgentFeed';

const WorkspaceRoute = lazy(() => import('./routes/WorkspaceRoute'));
const SettingsRoute = lazy(() => import('./routes/SettingsRoute'));
const AgentsRoute = lazy(() => import('./routes/AgentsRoute'));

export const queryClient = new QueryClient({
  // Every failed action lands in the notification centre with its detail and code (the form that
  // started it shows it too).
  mutationCache: new MutationCache({ onError: (error) => notifyError('An action failed', error) }),
  defaultOptions: {
    queries: {
      retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 3,
      refetchOnWindowFocus: false,
    },
  },
});

/** Pages behind a login: without one, the user goes to /login and comes back here after it. */
function RequireLogin() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  useEffect(
    () =>
      api.onUnauthenticated(() => {
        queryClient.clear();
        void navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
      }),
    [navigate, location],
  );
  if (me.isPending) return <div className="splash" aria-busy="true" />;
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
    }
    return (
      <div className="splash">
        <p role="alert">Wright cannot be reached: {me.error.message}</p>
      </div>
    );
  }
  return (
    <>
      <Suspense fallback={<div className="splash" aria-busy="true" />}>
        <Outlet />
      </Suspense>
      <AgentFeed />
    </>
  );
}

const router = createBrowserRouter([
  { path: '/setup', element: <SetupRoute /> },
  { path: '/login', element: <LoginRoute /> },
  {
    element: <RequireLogin />,
    children: [
      { path: '/', element: <ProjectsRoute /> },
      { path: '/p/:projectId', element: <WorkspaceRoute /> },
      // The flow editor and the run inspector open in the workspace's editor area.
      { path: '/p/:projectId/flows/:flowName?', element: <WorkspaceRoute /> },
      { path: '/p/:projectId/flow-runs/:runId', element: <WorkspaceRoute /> },
      { path: '/settings', element: <SettingsRoute /> },
      { path: '/agents', element: <AgentsRoute /> },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
