import { useNavigate } from 'react-router';
import { ProjectsPage } from '@/features/projects/components/ProjectsPage';
import { TopBar } from '../TopBar';

export function ProjectsRoute() {
  const navigate = useNavigate();
  return (
    <div className="page">
      <TopBar />
      <ProjectsPage onOpenProject={(id) => void navigate(`/p/${id}`)} />
    </div>
  );
}
