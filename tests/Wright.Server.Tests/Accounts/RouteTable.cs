using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Every endpoint of a running server, from its route table, with a URL that reaches it.</summary>
public static partial class RouteTable
{
    /// <summary>Enough fields for every request body of the API to bind, so a handler runs past binding.</summary>
    public const string AnyBody = """{"message":"m","name":"n","branch":"b","from":"a.txt","to":"b.txt","path":"d","userName":"admin","content":"x","url":"/nowhere"}""";

    public sealed record Route(string Method, string Pattern, bool AllowsAnonymous)
    {
        public override string ToString() => $"{Method} {Pattern}";
    }

    public static IReadOnlyList<Route> Of(WrightTestServer server)
    {
        var routes = new List<Route>();
        foreach (var endpoint in server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var anonymous = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            routes.AddRange(methods.Select(m => new Route(m, "/" + endpoint.RoutePattern.RawText!.Trim('/'), anonymous)));
        }

        return routes;
    }

    /// <summary>The pattern with every parameter filled: guids for guid constraints (<paramref name="projectId"/> for <c>{id}</c>), "x" otherwise.</summary>
    public static string UrlOf(Route route, Guid? projectId = null) =>
        Parameter().Replace(route.Pattern, m => m.Groups["name"].Value == "id" && projectId is { } id ? id.ToString()
            : m.Groups["constraint"].Value.Contains("guid", StringComparison.Ordinal) ? Guid.NewGuid().ToString()
            : "x");

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, Route route, Guid? projectId = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), UrlOf(route, projectId));
        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent(AnyBody, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).Bounded();
    }

    [GeneratedRegex(@"\{\**(?<name>\w+)(?<constraint>:[^}]*)?\}")]
    private static partial Regex Parameter();
}
