using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Wright.Server.Problems;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's <c>Accept</c>
/// header says. ASP.NET's own writer declines when a client accepts only <c>text/html</c> or
/// <c>text/event-stream</c>, and the error then escapes as an empty 500 with an error-level log
/// line; an API has one error format, and a client that asked for a stream still needs to know
/// why it got none.
/// </summary>
internal sealed class ProblemJsonWriter : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    private readonly IOptions<ProblemDetailsOptions> _options;
    private readonly IOptions<JsonOptions> _json;

    public ProblemJsonWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json)
    {
        _options = options;
        _json = json;
    }

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        _options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), _json.Value.SerializerOptions, ContentType, http.RequestAborted));
    }
}

/// <summary>Problem documents for every failure: the writer, the mapping of exceptions, and request-target limits.</summary>
internal static class ProblemsServiceCollectionExtensions
{
    public static IServiceCollection AddWrightProblems(this IServiceCollection services)
    {
        // Registered before AddProblemDetails' own writer, so it is the one asked first.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemMapping.Customize);
        services.AddExceptionHandler<ProblemMapping>();

        // A body that does not bind (wrong JSON types, invalid UTF-8, not JSON at all) throws, so
        // ProblemMapping can name the field instead of a bare 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }
}
