using System.Globalization;
using Wright.Core.Conversations;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Server.Accounts;

namespace Wright.Server.Projects;

/// <summary>
/// The access rules of routes under <c>/projects/{id}</c> and <c>/sessions/{id}</c>, set once on
/// their group: before any handler runs, the project or session the route names is loaded for the
/// caller, and anyone who may not see it gets 404 (another user's project is not found, never
/// forbidden). The entity loaded is kept for the request: handlers take it with
/// <see cref="AccessedProject"/> / <see cref="AccessedSession"/> instead of fetching it again.
/// </summary>
internal static class AccessFilters
{
    private static readonly object ProjectKey = new();
    private static readonly object SessionKey = new();

    /// <summary>Every route of <paramref name="group"/> (<c>…/projects/{<paramref name="parameter"/>}</c>) needs a project the caller may see.</summary>
    public static RouteGroupBuilder RequireProjectAccess(this RouteGroupBuilder group, string parameter = "id")
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            http.Items[ProjectKey] = await http.RequestServices.GetRequiredService<ProjectService>().GetAsync(http.Actor(), RouteId(http, parameter), http.RequestAborted);
            return await next(context);
        });
        return group;
    }

    /// <summary>This route changes the project: it must be writable (an archived project answers 409 <c>project_archived</c>).</summary>
    public static RouteHandlerBuilder RequireProjectWrite(this RouteHandlerBuilder endpoint, string parameter = "id")
    {
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            http.Items[ProjectKey] = await http.RequestServices.GetRequiredService<ProjectService>().GetWritableAsync(http.Actor(), RouteId(http, parameter), http.RequestAborted);
            return await next(context);
        });
        return endpoint;
    }

    /// <summary>Every route of <paramref name="group"/> (<c>…/sessions/{id}</c>) needs a session the caller may see.</summary>
    public static RouteGroupBuilder RequireSessionAccess(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var (session, project) = await http.RequestServices.GetRequiredService<SessionService>().GetWithProjectAsync(http.Actor(), RouteId(http, "id"), http.RequestAborted);
            http.Items[SessionKey] = session;
            http.Items[ProjectKey] = project;
            return await next(context);
        });
        return group;
    }

    /// <summary>The project the group's filter loaded for this request (the route is guarded by <see cref="RequireProjectAccess"/>, or by <see cref="RequireSessionAccess"/>: the session's project).</summary>
    public static Project AccessedProject(this HttpContext http) =>
        http.Items[ProjectKey] as Project ?? throw new InvalidOperationException("The route has no project access filter.");

    /// <summary>The session the group's filter loaded for this request (the route is guarded by <see cref="RequireSessionAccess"/>).</summary>
    public static Session AccessedSession(this HttpContext http) =>
        http.Items[SessionKey] as Session ?? throw new InvalidOperationException("The route has no session access filter.");

    /// <summary>The route's <paramref name="parameter"/>; the group's <c>:guid</c> constraint has already checked it.</summary>
    private static Guid RouteId(HttpContext http, string parameter) =>
        http.Request.RouteValues[parameter] is string text && Guid.TryParse(text, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw WrightException.Invalid(ErrorCodes.ValidationFailed, "The route names no valid id.");
}
