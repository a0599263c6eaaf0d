using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wright.Core.Errors;

namespace Wright.Server.Problems;

/// <summary>
/// Turns every failure into an RFC 9457 problem document with a stable <c>code</c>: our own
/// <see cref="WrightException"/>s, malformed requests, unknown routes and unexpected errors (whose
/// details never leave the server).
/// </summary>
internal sealed partial class ProblemMapping : IExceptionHandler
{
    private readonly IProblemDetailsService _problems;
    private readonly ILogger<ProblemMapping> _logger;

    public ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger)
    {
        _problems = problems;
        _logger = logger;
    }

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorKind.BadGateway => StatusCodes.Status502BadGateway,
        ErrorKind.GatewayTimeout => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case WrightException wright:
                problem = new ProblemDetails { Status = StatusOf(wright.Kind), Detail = wright.Message };
                problem.Extensions["code"] = wright.Code;
                foreach (var (key, value) in wright.Extensions)
                {
                    problem.Extensions[key] = value;
                }

                if (wright.Extensions.TryGetValue("retryAfterSeconds", out var retryAfter) && retryAfter is int seconds)
                {
                    httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                break;
            case BadHttpRequestException { InnerException: System.Text.Json.JsonException json }:
                problem = InvalidBody(json);
                break;
            case System.Text.Json.JsonException json:
                // Endpoints that read their body themselves (file writes) meet the same JSON errors.
                problem = InvalidBody(json);
                break;
            case BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType }:
                problem = new ProblemDetails { Status = StatusCodes.Status415UnsupportedMediaType, Detail = "The request body must be JSON, sent with Content-Type: application/json." };
                problem.Extensions["code"] = ErrorCodes.InvalidBody;
                break;
            case BadHttpRequestException bad:
                problem = new ProblemDetails
                {
                    Status = bad.StatusCode,
                    Detail = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                        ? "The request body is larger than this endpoint accepts."
                        : "The request could not be read: " + bad.Message,
                };
                problem.Extensions["code"] = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCodes.PayloadTooLarge : ErrorCodes.ValidationFailed;
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                // The client went away: nobody is left to read a problem document.
                return true;
            default:
                ProblemLog.Unhandled(_logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Detail = "Wright failed unexpectedly; the server log has the details.",
                };
                problem.Extensions["code"] = ErrorCodes.InternalError;
                break;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await _problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
    }

    /// <summary>A body that is not JSON of the endpoint's shape: the detail names the field (a JSON path such as <c>$.title</c>).</summary>
    private static ProblemDetails InvalidBody(System.Text.Json.JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Detail = field is null
                ? "The request body is not JSON of the shape this endpoint takes (an object with the fields in /openapi/v1.json, in UTF-8)."
                : $"The request body's field '{field}' has the wrong type or is not valid UTF-8; see /openapi/v1.json for the fields this endpoint takes.",
        };
        problem.Extensions["code"] = ErrorCodes.InvalidBody;
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }

    /// <summary>Gives every problem document a title and a code, including the ones ASP.NET writes itself (404, 405, 400 from binding).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions.Remove("traceId");
        problem.Extensions.Remove("requestId");
        problem.Extensions.Remove("exception");
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var (code, detail) = status switch
        {
            StatusCodes.Status404NotFound when context.HttpContext.GetEndpoint() is null =>
                (ErrorCodes.RouteNotFound, $"No endpoint answers {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}."),
            StatusCodes.Status404NotFound => (ErrorCodes.NotFound, "Not found."),
            StatusCodes.Status405MethodNotAllowed => (ErrorCodes.MethodNotAllowed, $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}."),
            StatusCodes.Status413PayloadTooLarge => (ErrorCodes.PayloadTooLarge, "The request body is larger than this endpoint accepts."),
            StatusCodes.Status415UnsupportedMediaType => (ErrorCodes.InvalidBody, "The request body must be JSON, sent with Content-Type: application/json."),
            StatusCodes.Status400BadRequest => (ErrorCodes.ValidationFailed, "The request is malformed: check the body and parameters against /openapi/v1.json."),
            _ => ($"http_{status}", problem.Title ?? "The request failed."),
        };
        problem.Extensions["code"] = code;
        problem.Detail ??= detail;
    }
}

internal static partial class ProblemLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
}
