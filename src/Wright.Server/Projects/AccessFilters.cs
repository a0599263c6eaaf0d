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
/// forbidden). Handlers then use the id without fetching the entity only to discard it.
/// </summary>
internal static class AccessFilters
{
    /// <summary>Every route of <paramref name="group"/> (<c>…/projects/{id}</c>) needs a project the caller may see.</summary>
    public static RouteGroupBuilder RequireProjectAccess(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            await http.RequestServices.GetRequiredService<ProjectService>().GetAsync(http.Actor(), RouteId(http), http.RequestAborted);
            return await next(context);
        });
        return group;
    }

    /// <summary>This route changes the project: the caller must be allowed to write to it (a viewer gets 403).</summary>
    public static RouteHandlerBuilder RequireProjectWrite(this RouteHandlerBuilder endpoint)
    {
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            await http.RequestServices.GetRequiredService<ProjectService>().GetWritableAsync(http.Actor(), RouteId(http), http.RequestAborted);
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
            await http.RequestServices.GetRequiredService<SessionService>().GetAsync(http.Actor(), RouteId(http), http.RequestAborted);
            return await next(context);
        });
        return group;
    }

    /// <summary>The route's <c>{id}</c>; the group's <c>:guid</c> constraint has already checked it.</summary>
    private static Guid RouteId(HttpContext http) =>
        http.Request.RouteValues["id"] is string text && Guid.TryParse(text, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw WrightException.Invalid(ErrorCodes.ValidationFailed, "The route names no valid id.");
}
