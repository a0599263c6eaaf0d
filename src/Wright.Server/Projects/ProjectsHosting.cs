using Microsoft.Extensions.Configuration;
using Wright.Core.Hosting;
using Wright.Core.Projects;

namespace Wright.Server.Projects;

internal static class ProjectsHosting
{
    /// <summary>Projects, with <see cref="WorkspaceOptions"/> (where projects may live) bound from <c>Wright:Workspace</c>.</summary>
    public static IServiceCollection AddWrightProjects(this IServiceCollection services)
    {
        services.AddProjects();
        services.AddOptions<WorkspaceOptions>().BindConfiguration(WrightConfigNames.WorkspaceSection);
        return services;
    }
}
